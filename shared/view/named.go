package view

// Destination returns the destination of a name ("" the main
// spreadsheet), or nil when the view has none of that name. The writer
// function of queued mode writes each message's row in the destination
// it names, with the row the webhook function's view already projected.
func (v *View) Destination(name string) Destination {
	for _, tg := range v.targets {
		if tg.name == name {
			return tg.dest
		}
	}
	return nil
}
