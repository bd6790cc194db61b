package main

import (
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/view"
)

// reportDestinations prints, after the main spreadsheet's count, what an
// erasure did in each other destination (an Excel workbook, another
// spreadsheet): each holds copies of some of the main rows, and is
// cleared with them.
func reportDestinations(o options, done view.Done, stdout io.Writer) {
	if o.cmd != "erase" {
		return
	}
	verb := "cleared"
	if o.dryRun {
		verb = "would clear"
	}
	for _, name := range slices.Sorted(maps.Keys(done.Destinations)) {
		rep := done.Destinations[name]
		fmt.Fprintf(stdout, "destination %s: %s %d rows (%s)\n", name, verb, rep.Changed(), tabCounts(rep, func(t model.TabReport) int { return t.Changed }))
	}
}
