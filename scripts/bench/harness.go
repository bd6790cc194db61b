package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"syscall"
	"time"
)

// The harness's own limits: the bench runs the platform's sender and
// every server in one process, and at 60,000 events a minute a
// connection per delivery in flight would exhaust the process's file
// descriptors (the last session's run did, at 20,000).

// raiseFileLimit raises the soft limit of open files to the hard one,
// where the system allows it, and says what it is.
func raiseFileLimit(progress io.Writer) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return
	}
	if l.Cur < l.Max {
		want := l
		want.Cur = l.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err == nil {
			l = want
		}
	}
	fmt.Fprintf(progress, "bench: open files limit %d\n", l.Cur)
}

// senderConns bounds the sender's connections to the function: enough
// for the deliveries in flight at 1,000 a second answered within 100 ms,
// with room for slow answers; beyond it, requests wait for a connection
// (and their wait counts in their ack time, as a platform's would).
const senderConns = 256

// newSenderTransport is the one transport of a sender: connections
// bounded and kept, so that the deliveries reuse them rather than open
// one each.
func newSenderTransport() *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxConnsPerHost:     senderConns,
		MaxIdleConns:        senderConns,
		MaxIdleConnsPerHost: senderConns,
		IdleConnTimeout:     90 * time.Second,
	}
}

// profileCPU writes a CPU profile to path until stop is called.
func profileCPU(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
