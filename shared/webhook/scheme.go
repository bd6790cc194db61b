package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Scheme names, as New and the configuration take them.
const (
	SchemeShopify          = "shopify"
	SchemeWooCommerce      = "woocommerce"
	SchemeStripe           = "stripe"
	SchemeSquare           = "square"
	SchemeStandardWebhooks = "standard-webhooks"
	SchemeLightspeedEcom   = "lightspeed-ecom"
	SchemeHMAC             = "hmac"
	SchemeToken            = "token"
)

type constructor func(secrets []string, o Options) (Verifier, error)

// wrap adapts a constructor of a concrete verifier type.
func wrap[V Verifier](f func(secrets []string, o Options) (V, error)) constructor {
	return func(s []string, o Options) (Verifier, error) {
		v, err := f(s, o)
		if err != nil {
			return nil, err
		}
		return v, nil
	}
}

var schemes = map[string]constructor{
	SchemeShopify:          wrap(func(s []string, _ Options) (*Shopify, error) { return NewShopify(s...) }),
	SchemeWooCommerce:      wrap(func(s []string, _ Options) (*WooCommerce, error) { return NewWooCommerce(s...) }),
	SchemeStripe:           wrap(func(s []string, o Options) (*Stripe, error) { return NewStripe(o, s...) }),
	SchemeSquare:           wrap(func(s []string, o Options) (*Square, error) { return NewSquare(o.NotificationURL, s...) }),
	SchemeStandardWebhooks: wrap(func(s []string, o Options) (*StandardWebhooks, error) { return NewStandardWebhooks(o, s...) }),
	SchemeLightspeedEcom:   wrap(func(s []string, _ Options) (*LightspeedEcom, error) { return NewLightspeedEcom(s...) }),
	SchemeHMAC:             wrap(func(s []string, o Options) (*HMAC, error) { return NewHMAC(o.HMAC, o, s...) }),
	SchemeToken:            wrap(func(s []string, o Options) (*Token, error) { return NewToken(o.Token, s...) }),
}

// New builds the verifier of the named scheme from the live secrets. With
// o.Token.Values set, the verifier also requires one of those tokens.
func New(scheme string, secrets []string, o Options) (Verifier, error) {
	c, ok := schemes[scheme]
	if !ok {
		return nil, fmt.Errorf("unknown signature scheme %q (known: %s)", scheme, strings.Join(Schemes(), ", "))
	}
	v, err := c(secrets, o)
	if err != nil || len(o.Token.Values) == 0 {
		return v, err
	}
	if scheme == SchemeToken {
		return nil, fmt.Errorf("%w: the token scheme takes its tokens as secrets, not as paired values", ErrOptions)
	}
	t, err := NewToken(o.Token, o.Token.Values...)
	if err != nil {
		return nil, fmt.Errorf("paired token: %w", err)
	}
	return paired{v, t}, nil
}

// Schemes lists the scheme names New accepts, sorted.
func Schemes() []string {
	names := make([]string, 0, len(schemes))
	for n := range schemes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Signed is what a platform adds to a delivery to sign it.
type Signed struct {
	Header http.Header
	Query  url.Values // the token scheme's query parameter, if any
}

// Sign signs body as the named scheme would with secret, at o's clock,
// for tests, the send script and the local stack. With o.Token.Values set
// it adds the first paired token too. A standard-webhooks message id is
// derived from the body.
func Sign(scheme, secret string, body []byte, o Options) (Signed, error) {
	s := Signed{Header: http.Header{}, Query: url.Values{}}
	now := o.now()
	switch scheme {
	case SchemeShopify:
		s.Header.Set(ShopifyHeader, SignShopify(secret, body))
	case SchemeWooCommerce:
		s.Header.Set(WooCommerceHeader, SignWooCommerce(secret, body))
	case SchemeStripe:
		s.Header.Set(StripeHeader, SignStripe(secret, now, body))
	case SchemeSquare:
		if err := checkNotificationURL(o.NotificationURL); err != nil {
			return Signed{}, err
		}
		s.Header.Set(SquareHeader, SignSquare(secret, o.NotificationURL, body))
	case SchemeStandardWebhooks:
		sum := sha256.Sum256(body)
		id := "msg_" + hex.EncodeToString(sum[:12])
		sig, err := SignStandardWebhooks(secret, id, now, body)
		if err != nil {
			return Signed{}, err
		}
		s.Header.Set(StandardIDHeader, id)
		s.Header.Set(StandardTimestampHeader, fmt.Sprint(now.Unix()))
		s.Header.Set(StandardSignatureHeader, sig)
	case SchemeLightspeedEcom:
		s.Header.Set(LightspeedEcomHeader, SignLightspeedEcom(secret, body))
	case SchemeHMAC:
		h, err := o.HMAC.Sign(secret, now, body)
		if err != nil {
			return Signed{}, err
		}
		s.Header = h
	case SchemeToken:
		s.addToken(o.Token, secret)
	default:
		return Signed{}, fmt.Errorf("unknown signature scheme %q", scheme)
	}
	if scheme != SchemeToken && len(o.Token.Values) > 0 {
		s.addToken(o.Token, o.Token.Values[0])
	}
	return s, nil
}

func (s *Signed) addToken(c TokenConfig, token string) {
	if h := c.header(); h != "" {
		s.Header.Set(h, token)
		return
	}
	s.Query.Set(TokenQueryParameter, token)
}
