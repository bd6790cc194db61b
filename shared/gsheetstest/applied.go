package gsheetstest

// WithAppliedHook calls hook after each write request that succeeded has
// been applied, before its answer is sent, with the time it was applied
// in Call.At. Unlike WithCallHook's arrival time, that is when a reader of
// the spreadsheet starts seeing the change: a benchmark measures when a
// row became visible in each spreadsheet (it may read the server, with
// Snapshot, from the hook).
func WithAppliedHook(hook func(Call)) Option { return func(s *Server) { s.appliedHook = hook } }

// SetAppliedHook replaces the hook set by WithAppliedHook; nil removes it.
func (s *Server) SetAppliedHook(hook func(Call)) {
	s.cfg.Lock()
	defer s.cfg.Unlock()
	s.appliedHook = hook
}

// applied calls the applied hook, if any, for a write that succeeded.
func (s *Server) applied(c Call) {
	s.cfg.Lock()
	hook, now := s.appliedHook, s.now
	s.cfg.Unlock()
	if hook != nil && c.Write {
		c.At = now()
		hook(c)
	}
}
