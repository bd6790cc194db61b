package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

// A fixed vector computed independently:
// printf '{"id":1}' | openssl dgst -sha256 -hmac hush -binary | base64
const (
	vectorSecret = "hush"
	vectorBody   = `{"id":1}`
	vectorSig    = "VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY="
)

func TestShopifyVector(t *testing.T) {
	t.Parallel()
	if got := SignShopify(vectorSecret, []byte(vectorBody)); got != vectorSig {
		t.Fatalf("SignShopify(%q, %q) = %q, want %q", vectorSecret, vectorBody, got, vectorSig)
	}
	v, err := NewShopify(vectorSecret)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set(ShopifyHeader, vectorSig)
	if err := v.Verify([]byte(vectorBody), h); err != nil {
		t.Fatalf("Verify(vector) = %v, want nil", err)
	}
}

func TestShopifyRejects(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":820982911946154508,"email":"canary@example.com"}`)
	good := SignShopify("s3cret", body)
	v, err := NewShopify("s3cret")
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), body...)
	flipped[5] ^= 1
	tests := []struct {
		name   string
		body   []byte
		header []string
		want   error
	}{
		{"valid", body, []string{good}, nil},
		{"one byte of body", flipped, []string{good}, ErrInvalidSignature},
		{"trailing newline", append(append([]byte(nil), body...), '\n'), []string{good}, ErrInvalidSignature},
		{"missing header", body, nil, ErrMissingSignature},
		{"empty header", body, []string{""}, ErrMissingSignature},
		{"duplicated header", body, []string{good, good}, ErrMalformedSignature},
		{"not base64", body, []string{"%%%"}, ErrMalformedSignature},
		{"hex instead of base64", body, []string{"5672948d9b0bb8de626568e7e449ed70154217d90c378dcb825cc2135fc649e6"}, ErrMalformedSignature},
		{"short digest", body, []string{"AAAA"}, ErrMalformedSignature},
		{"other secret", body, []string{SignShopify("other", body)}, ErrInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, s := range tt.header {
				h.Add(ShopifyHeader, s)
			}
			if err := v.Verify(tt.body, h); !errors.Is(err, tt.want) {
				t.Fatalf("Verify() = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestShopifyRotation(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":2}`)
	v, err := NewShopify("new", "old")
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"new", "old"} {
		h := http.Header{}
		h.Set(ShopifyHeader, SignShopify(secret, body))
		if err := v.Verify(body, h); err != nil {
			t.Errorf("Verify(signed with %q) = %v, want nil", secret, err)
		}
	}
}

func TestShopifyFailsClosed(t *testing.T) {
	t.Parallel()
	for _, secrets := range [][]string{nil, {""}, {"ok", ""}} {
		if _, err := NewShopify(secrets...); !errors.Is(err, ErrNoSecret) {
			t.Errorf("NewShopify(%q) error = %v, want ErrNoSecret", secrets, err)
		}
		if _, err := New("shopify", secrets, Options{}); !errors.Is(err, ErrNoSecret) {
			t.Errorf("New(shopify, %q) error = %v, want ErrNoSecret", secrets, err)
		}
	}
	// An empty secret must not verify the signature an attacker can compute
	// for it.
	body := []byte(`{}`)
	h := http.Header{}
	h.Set(ShopifyHeader, SignShopify("", body))
	v, _ := NewShopify("real")
	if err := v.Verify(body, h); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("Verify(signed with empty secret) = %v, want ErrInvalidSignature", err)
	}
}

func ExampleShopify() {
	body := []byte(`{"id":1}`)
	v, _ := NewShopify("hush")
	h := http.Header{}
	h.Set(ShopifyHeader, SignShopify("hush", body))
	fmt.Println(v.Verify(body, h))
	h.Set(ShopifyHeader, SignShopify("guess", body))
	fmt.Println(v.Verify(body, h))
	// Output:
	// <nil>
	// invalid signature
}
