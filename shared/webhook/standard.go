package webhook

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of Standard Webhooks; Svix sends the same under "svix-".
const (
	StandardIDHeader        = "Webhook-Id"
	StandardTimestampHeader = "Webhook-Timestamp"
	StandardSignatureHeader = "Webhook-Signature"
	SvixIDHeader            = "Svix-Id"
	SvixTimestampHeader     = "Svix-Timestamp"
	SvixSignatureHeader     = "Svix-Signature"
)

// StandardWebhooks verifies deliveries signed per the Standard Webhooks
// specification (and by Svix): the signature header holds "v1,<base64>"
// values separated by spaces (not tabs), each the HMAC-SHA256 of
// "{id}.{timestamp}.{body}", keyed with the base64 bytes after "whsec_".
// The timestamp must be within the tolerance (default 5 minutes) in both
// directions. Other versions (v1a, asymmetric) are ignored.
type StandardWebhooks struct {
	o    Options
	keys [][]byte
}

// NewStandardWebhooks returns a verifier accepting a signature by any of
// secrets, each "whsec_" followed by base64 (the prefix may be omitted).
func NewStandardWebhooks(o Options, secrets ...string) (*StandardWebhooks, error) {
	raw, err := keys(secrets)
	if err != nil {
		return nil, err
	}
	k := make([][]byte, len(raw))
	for i, s := range raw {
		if k[i], err = standardKey(string(s)); err != nil {
			return nil, fmt.Errorf("%w: secret %d is not whsec_ followed by base64", ErrNoSecret, i)
		}
	}
	return &StandardWebhooks{o: o, keys: k}, nil
}

func standardKey(secret string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err == nil && len(k) == 0 {
		err = ErrNoSecret
	}
	return k, err
}

// Verify implements Verifier. The webhook-* headers are read when any of
// them is present, else the svix-* ones.
func (s *StandardWebhooks) Verify(body []byte, header http.Header) error {
	names := [3]string{StandardIDHeader, StandardTimestampHeader, StandardSignatureHeader}
	if len(header.Values(StandardIDHeader))+len(header.Values(StandardTimestampHeader))+len(header.Values(StandardSignatureHeader)) == 0 {
		names = [3]string{SvixIDHeader, SvixTimestampHeader, SvixSignatureHeader}
	}
	var vals [3]string
	for i, n := range names {
		v, err := single(header, n)
		if err != nil {
			return err
		}
		vals[i] = v
	}
	id, ts, raw := vals[0], vals[1], vals[2]
	t, err := unixSeconds(ts)
	if err != nil {
		return err
	}
	var sigs [][]byte
	// The list is space delimited, as the specification says; like its Go
	// library, split at each space and skip what is no v1 signature (the
	// empty item between two spaces too), so a tab or a line break joins two
	// items into one that is none.
	for _, item := range strings.Split(raw, " ") {
		version, sig, ok := strings.Cut(item, ",")
		if !ok || version != "v1" {
			continue
		}
		if b, err := decode(EncodingBase64, sig, sha256.Size); err == nil {
			sigs = append(sigs, b)
		}
	}
	if len(sigs) == 0 {
		return fmt.Errorf("%w: no v1 signature", ErrMissingSignature)
	}
	signed := []byte(id + "." + ts + ".")
	if !matchAny(sigs, s.keys, func(k []byte) []byte { return mac(sha256.New, k, signed, body) }) {
		return ErrInvalidSignature
	}
	return inWindow(s.o, t)
}

// SignStandardWebhooks returns the webhook-signature value for a message
// id, a time and a body.
func SignStandardWebhooks(secret, id string, t time.Time, body []byte) (string, error) {
	k, err := standardKey(secret)
	if err != nil {
		return "", fmt.Errorf("%w: not whsec_ followed by base64", ErrNoSecret)
	}
	signed := []byte(id + "." + strconv.FormatInt(t.Unix(), 10) + ".")
	return "v1," + base64.StdEncoding.EncodeToString(mac(sha256.New, k, signed, body)), nil
}
