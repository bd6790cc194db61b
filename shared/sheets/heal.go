package sheets

import (
	sheetsapi "google.golang.org/api/sheets/v4"
)

// heal is called when a write's answer shows that the team changed the
// sheet between the verification read and the write.
func (s *Sink) heal(fs *flushState, p *writePlan, resp *sheetsapi.BatchUpdateSpreadsheetResponse, bad map[*tab]bool) error {
	for t := range bad {
		t.loaded = false
	}
	fs.log.Error("a team edit landed between the read and the write of a flush")
	return errMoved
}
