package webhookfn

import (
	"context"
	"strings"
	"testing"

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
