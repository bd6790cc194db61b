package secrets_test

import (
	"context"
	"fmt"
	"log"

	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/secrets/secretmanagertest"
)

// During a rotation, both the new and the previous value verify.
func ExampleNewSecretManager() {
	// A fake Secret Manager; in Google Cloud, leave ClientOptions out.
	srv, err := secretmanagertest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.AddVersion("my-project", "shopify-webhook-secret", "previous-key")
	srv.AddVersion("my-project", "shopify-webhook-secret", "new-key")

	ctx := context.Background()
	r, err := secrets.NewSecretManager(ctx, secrets.SecretManagerOptions{
		Project:        "my-project",
		ServiceAccount: "safeview-webhook@my-project.iam.gserviceaccount.com",
		ClientOptions:  srv.ClientOptions(),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	values, err := r.Lookup(ctx, "shopify-webhook-secret")
	fmt.Println(values, err)
	_, err = r.Lookup(ctx, "stripe-webhook-secret")
	fmt.Println(err)
	// Output:
	// [new-key previous-key] <nil>
	// secret not found: secret "stripe-webhook-secret" in project "my-project" does not exist (as seen by service account safeview-webhook@my-project.iam.gserviceaccount.com): create it with terraform apply, or fix the name in the configuration: Secret [projects/my-project/secrets/stripe-webhook-secret] not found or has no versions.
}
