package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/safeview/safeview/shared/secrets/secretmanagertest"
)

// work adds the value for options given directly, with no flag parsed.
func TestWork(t *testing.T) {
	t.Parallel()
	srv := secretmanagertest.NewServer(t)
	srv.AddSecret(project, "key")
	var out bytes.Buffer
	err := work(context.Background(), options{project: project, name: "key"}, strings.NewReader("v\n"), &out, &out, srv.ClientOptions()...)
	if err != nil || !strings.Contains(out.String(), "added projects/"+project+"/secrets/key/versions/1 (1 bytes)") {
		t.Errorf("work() = %v, printed:\n%s", err, out.String())
	}
}
