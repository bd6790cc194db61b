package gsheetstest

import "sync"

// PauseNext holds the next request of method, before it is applied, until
// release is called; paused is closed once it is held. It replaces the
// request hook. Tests use it to have work queue behind a request in
// flight, deterministically. release may be called more than once.
func (s *Server) PauseNext(method string) (paused <-chan struct{}, release func()) {
	p, r := make(chan struct{}), make(chan struct{})
	var once, rel sync.Once
	s.SetRequestHook(func(m string) {
		if m != method {
			return
		}
		hit := false
		once.Do(func() { hit = true })
		if hit {
			close(p)
			<-r
		}
	})
	return p, func() { rel.Do(func() { close(r) }) }
}
