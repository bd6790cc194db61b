// Command set-secret adds a value to a secret in Secret Manager, as a new
// version: the first value of a secret Terraform created, or the next one
// in a rotation.
//
// Usage:
//
//	go run ./scripts/set-secret -project PROJECT NAME < value.txt
//	go run ./scripts/set-secret -project PROJECT NAME        # then paste it; it is not shown
//
// The value is read from standard input, never from a flag or an
// argument, where it would stay in the shell history and show in ps; it is
// never printed. One trailing line break is removed (echo and editors add
// one, and a signing key never ends with one); an empty value is refused.
//
// The function verifies with the two newest enabled versions and looks
// again every minute, so a rotation is: run this with the new value, wait
// a minute, switch the platform to the new value, then disable the old
// version (the command prints how).
//
// It uses your Application Default Credentials (gcloud auth
// application-default login), which need roles/secretmanager.secretVersionAdder
// on the secret, or Secret Manager Admin. The secret must exist: terraform
// apply creates one per secret name in the configuration.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"regexp"
	"strings"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"golang.org/x/term"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "set-secret:", err)
		os.Exit(1)
	}
}

// maxValue is Secret Manager's limit on a version's payload.
const maxValue = 64 << 10

var secretID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// run is the command: the command line parsed, then the work; opts
// point the client elsewhere in tests.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, opts ...option.ClientOption) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	return work(ctx, o, stdin, stdout, stderr, opts...)
}

// options are the command line: which secret, never its value.
type options struct {
	project string
	name    string // the secret's id
}

// parse reads the command line; the usage and the flags' errors go to
// stderr.
func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("set-secret", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.project, "project", firstEnv("GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT"), "the Google Cloud project of the secret (default $GOOGLE_CLOUD_PROJECT)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: go run ./scripts/set-secret -project PROJECT NAME < value")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return options{}, errors.New("want the name of one secret; the value comes from standard input")
	}
	o.name = fs.Arg(0)
	if o.project == "" {
		return options{}, errors.New("-project is required (or set GOOGLE_CLOUD_PROJECT)")
	}
	if !secretID.MatchString(o.name) {
		return options{}, fmt.Errorf("%q is not a secret name: 1 to 255 letters, digits, - and _", o.name)
	}
	return o, nil
}

// work reads the value from stdin, adds it as the secret's newest
// version and says how to retire the older ones.
func work(ctx context.Context, o options, stdin io.Reader, stdout, stderr io.Writer, opts ...option.ClientOption) error {
	value, err := readValue(stdin, stderr, o.name)
	if err != nil {
		return err
	}

	client, err := secretmanager.NewClient(ctx, opts...)
	if err != nil {
		return fmt.Errorf("secret manager client: %w (run gcloud auth application-default login)", err)
	}
	defer client.Close()

	parent := "projects/" + o.project + "/secrets/" + o.name
	sum := int64(crc32.Checksum(value, crc32.MakeTable(crc32.Castagnoli)))
	v, err := client.AddSecretVersion(ctx, &secretmanagerpb.AddSecretVersionRequest{
		Parent:  parent,
		Payload: &secretmanagerpb.SecretPayload{Data: value, DataCrc32C: &sum},
	})
	switch status.Code(err) {
	case codes.OK:
	case codes.NotFound:
		return fmt.Errorf("secret %s does not exist: run terraform apply first (it creates a secret for every name in the configuration), or check the name and -project", parent)
	case codes.PermissionDenied:
		return fmt.Errorf("your credentials may not add versions to %s: you need roles/secretmanager.secretVersionAdder on it (or Secret Manager Admin); check gcloud auth application-default login: %s", parent, status.Convert(err).Message())
	default:
		return fmt.Errorf("adding a version to %s: %w", parent, err)
	}
	fmt.Fprintf(stdout, "added %s (%d bytes)\n", v.GetName(), len(value))

	enabled, err := enabledVersions(ctx, client, parent)
	if err != nil {
		// The value is stored; listing is only for the advice below.
		fmt.Fprintf(stdout, "could not list the versions (%v); the function uses the two newest enabled ones\n", status.Convert(err).Message())
		return nil
	}
	fmt.Fprintf(stdout, "enabled versions, newest first: %s\n", strings.Join(enabled, ", "))
	fmt.Fprintln(stdout, "the function verifies with the two newest and picks a new one up within a minute.")
	if len(enabled) > 1 {
		fmt.Fprintf(stdout, "once the platform uses the new value, disable the older ones:\n")
		for _, old := range enabled[1:] {
			fmt.Fprintf(stdout, "  gcloud secrets versions disable %s --secret %s --project %s\n", old, o.name, o.project)
		}
	}
	return nil
}

// readValue reads the value: from a terminal without echo, else all of
// stdin. It removes one trailing line break and refuses an empty value.
func readValue(stdin io.Reader, stderr io.Writer, name string) ([]byte, error) {
	var value []byte
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(stderr, "value of %s (not shown), then Enter: ", name)
		v, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return nil, fmt.Errorf("reading the value: %w", err)
		}
		value = v
	} else {
		v, err := io.ReadAll(io.LimitReader(stdin, maxValue+2))
		if err != nil {
			return nil, fmt.Errorf("reading the value: %w", err)
		}
		value = v
	}
	value = bytes.TrimSuffix(value, []byte("\n"))
	value = bytes.TrimSuffix(value, []byte("\r"))
	switch {
	case len(bytes.TrimSpace(value)) == 0:
		return nil, errors.New("the value is empty: nothing was added (give it on standard input)")
	case len(value) > maxValue:
		return nil, fmt.Errorf("the value is larger than Secret Manager's %d bytes", maxValue)
	}
	return value, nil
}

// enabledVersions lists the numbers of the enabled versions, newest first.
func enabledVersions(ctx context.Context, c *secretmanager.Client, parent string) ([]string, error) {
	it := c.ListSecretVersions(ctx, &secretmanagerpb.ListSecretVersionsRequest{Parent: parent, Filter: "state:ENABLED"})
	var out []string
	for {
		v, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v.GetName()[strings.LastIndexByte(v.GetName(), '/')+1:])
	}
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}
