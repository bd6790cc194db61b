package sheets

import "context"

func (s *Sink) repairDuplicates(ctx context.Context, fs *flushState, t *tab, dups map[string][]int) error {
	fs.log.Warn("key column holds duplicate keys; the first row of each is updated", "table", t.Tab, "duplicates", len(dups))
	return nil
}
