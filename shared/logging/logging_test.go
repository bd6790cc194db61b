package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
)

func TestNewCloudLoggingFields(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := New(&buf, slog.LevelDebug)
	l.Warn("sheet slow", KeyTable, "Orders")
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("log line is not JSON: %v: %s", err, buf.Bytes())
	}
	if got["severity"] != "WARNING" || got["message"] != "sheet slow" || got["table"] != "Orders" {
		t.Errorf("log line = %v, want severity WARNING, message and table", got)
	}
	if _, ok := got["level"]; ok {
		t.Errorf("log line has slog's level key: %v", got)
	}
}

func TestSeverity(t *testing.T) {
	t.Parallel()
	for l, want := range map[slog.Level]string{
		slog.LevelDebug: "DEBUG", slog.LevelInfo: "INFO", slog.LevelWarn: "WARNING", slog.LevelError: "ERROR", slog.LevelError + 4: "ERROR",
	} {
		if got := severity(l); got != want {
			t.Errorf("severity(%v) = %q, want %q", l, got, want)
		}
	}
}

func TestContext(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := New(&buf, slog.LevelInfo).With(KeyRequestID, "r-1")
	From(With(context.Background(), l)).Info("hello")
	if !bytes.Contains(buf.Bytes(), []byte(`"request_id":"r-1"`)) {
		t.Errorf("From(With(l)) did not log with l: %s", buf.Bytes())
	}
	if From(context.Background()) != slog.Default() {
		t.Errorf("From(empty context) is not slog.Default()")
	}
}

func TestTrace(t *testing.T) {
	t.Parallel()
	tests := []struct{ project, traceparent, cloud, want string }{
		{"p", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "", "projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736"},
		{"p", "", "105445aa7843bc8bf206b12000100000/1;o=1", "projects/p/traces/105445aa7843bc8bf206b12000100000"},
		{"", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "", ""},
		{"p", "garbage", "nothex!nothex!nothex!nothex!abcd/1", ""},
	}
	for _, tt := range tests {
		if got := Trace(tt.project, tt.traceparent, tt.cloud); got != tt.want {
			t.Errorf("Trace(%q, %q, %q) = %q, want %q", tt.project, tt.traceparent, tt.cloud, got, tt.want)
		}
	}
}
