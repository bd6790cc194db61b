// Package logging writes structured logs the way Cloud Logging reads them:
// one JSON object a line with "severity" and "message", and the request's
// trace when there is one.
//
// Only PII-free attributes belong in a log: source, topic, delivery id,
// table, result, counts, durations, error kinds. Never a payload, a header
// value, a secret or a cell that came from a customer. Keep attribute keys
// stable: operators build alerts on them.
package logging

import (
	"context"
	"io"
	"log/slog"
	"os"
)

// Stable attribute keys.
const (
	KeyRequestID  = "request_id"
	KeySource     = "source"
	KeyPlatform   = "platform"
	KeyTopic      = "topic"
	KeyDeliveryID = "delivery_id"
	KeyTable      = "table"
	KeyResult     = "result"
	KeyStatus     = "status"
	KeyError      = "error"
	KeyDuration   = "duration_ms"
	KeyTrace      = "logging.googleapis.com/trace"
)

// New returns a JSON logger writing to w with Cloud Logging's field names.
func New(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level:       level,
		ReplaceAttr: replace,
	}))
}

// Default returns the logger a function uses: JSON on stderr at info level,
// or debug when SAFEVIEW_LOG_LEVEL=debug.
func Default() *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(os.Getenv("SAFEVIEW_LOG_LEVEL")))
	return New(os.Stderr, level)
}

func replace(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.MessageKey:
		a.Key = "message"
	case slog.LevelKey:
		a.Key = "severity"
		if l, ok := a.Value.Any().(slog.Level); ok {
			a.Value = slog.StringValue(severity(l))
		}
	}
	return a
}

// severity maps slog levels to Cloud Logging's LogSeverity names.
func severity(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARNING"
	default:
		return "ERROR"
	}
}

type ctxKey struct{}

// With returns a context carrying the logger, typically one already bound
// to a request's id.
func With(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From returns the context's logger, or slog.Default.
func From(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(ctxKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// Trace returns the Cloud Logging trace resource name for a request, from
// the W3C traceparent or the X-Cloud-Trace-Context header, or "" when the
// project or the header is missing or malformed.
func Trace(project, traceparent, cloudTrace string) string {
	if project == "" {
		return ""
	}
	id := ""
	if len(traceparent) == 55 && traceparent[2] == '-' && traceparent[35] == '-' {
		id = traceparent[3:35]
	} else if i := indexByte(cloudTrace, '/'); i == 32 {
		id = cloudTrace[:32]
	} else if len(cloudTrace) == 32 {
		id = cloudTrace
	}
	if !isHex(id) {
		return ""
	}
	return "projects/" + project + "/traces/" + id
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
