package webhookfn

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/excel/exceltest"
	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/secrets"
)

// Not parallel: it sets environment variables.
func TestSecretsFromEnv(t *testing.T) {
	ctx := context.Background()
	t.Run("env by default outside Google Cloud", func(t *testing.T) {
		t.Setenv("K_SERVICE", "")
		r, err := secretsFromEnv(ctx, "")
		if _, ok := r.(secrets.Env); !ok || err != nil {
			t.Errorf(`secretsFromEnv("") = %T, %v, want secrets.Env`, r, err)
		}
	})
	t.Run("secretmanager by default in Cloud Functions", func(t *testing.T) {
		t.Setenv("K_SERVICE", "safeview-webhook")
		t.Setenv(EnvProject, "")
		// Without a project the Secret Manager resolver refuses to start,
		// which shows it was chosen without touching the network.
		_, err := secretsFromEnv(ctx, "")
		if err == nil || !strings.Contains(err.Error(), EnvProject) {
			t.Errorf(`secretsFromEnv("") with K_SERVICE error = %v, want one naming %s`, err, EnvProject)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		if _, err := secretsFromEnv(ctx, "vault"); err == nil || !strings.Contains(err.Error(), "secretmanager") {
			t.Errorf(`secretsFromEnv("vault") error = %v, want the list of choices`, err)
		}
	})
}

// A setup that failed (here: no spreadsheet id yet) is tried again by the
// running instance, so a fix made after the deploy is picked up. Not
// parallel: it sets environment variables and the instance's handler.
func TestServeRetriesAFailedSetup(t *testing.T) {
	emu := gsheetstest.NewServer(t)
	t.Setenv("K_SERVICE", "")
	t.Setenv(EnvConfig, "safeview.yaml")
	t.Setenv(EnvSecrets, "env")
	t.Setenv(EnvSheetsEndpoint, emu.URL())
	t.Setenv(EnvSpreadsheetID, "")
	retry := instance.Retry
	instance.Retry = time.Hour
	t.Cleanup(func() {
		instance.Retry = retry
		instance.Reset()
	})

	status := func() int {
		rec := httptest.NewRecorder()
		serve(rec, httptest.NewRequest(http.MethodPost, "/nowhere", strings.NewReader("{}")))
		return rec.Code
	}
	if got := status(); got != http.StatusInternalServerError {
		t.Fatalf("without a spreadsheet id: status %d, want 500", got)
	}
	cfg, err := config.Load("safeview.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range cfg.SecretNames() {
		t.Setenv(secrets.EnvName(name), strings.Repeat("k", 40))
	}
	t.Setenv(EnvSpreadsheetID, emu.CreateSpreadsheet("retry", "Orders"))
	for k, v := range exceltest.NewStack(t, cfg).Env {
		t.Setenv(k, v)
	}
	ids := map[string]string{}
	for _, name := range cfg.DestinationNames {
		ids[name] = emu.CreateSpreadsheet(name, "Orders")
	}
	idsJSON, _ := json.Marshal(ids)
	t.Setenv(EnvDestinationSpreadsheets, string(idsJSON))
	if got := status(); got != http.StatusInternalServerError {
		t.Errorf("fixed, before setupRetry: status %d, want still 500", got)
	}
	instance.Retry = 0
	if got := status(); got != http.StatusNotFound {
		t.Errorf("fixed, after setupRetry: status %d, want 404 from a working handler", got)
	}
}
