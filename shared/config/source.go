package config

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/webhook"
)

// Source is one platform posting to the function at /{name}.
type Source struct {
	// Platform names the preset that decodes the deliveries (see package
	// platform), e.g. "shopify".
	Platform string `yaml:"platform"`
	// Scheme overrides the platform's default signature scheme.
	Scheme string `yaml:"scheme"`
	// Secrets names the secrets that sign the deliveries (for the token
	// scheme, the tokens). All live versions of all of them verify.
	Secrets []string `yaml:"secrets"`
	// Store replaces the store the platform names in the store columns.
	Store string `yaml:"store"`
	// Shops lists the domains of the shops a Shopify source serves
	// (cafe-demo.myshopify.com), lower-cased. Orders and compliance
	// requests of any other shop are refused. With several, the source
	// must not set store: a shop/redact could not tell their rows apart.
	Shops []string `yaml:"shops"`
	// TimeZone is the IANA time zone of the store; default the
	// spreadsheet's.
	TimeZone string `yaml:"time_zone"`

	// NotificationURL is the URL of the Square webhook subscription,
	// exactly as entered in Square's dashboard: Square signs it with the
	// body. Required for the square scheme, refused by the others.
	NotificationURL string `yaml:"notification_url"`
	// Tolerance is how far a signed timestamp may be from now, either way
	// (stripe, standard-webhooks, hmac with a timestamp header). Default
	// 5m, at most 1h.
	Tolerance Duration `yaml:"tolerance"`
	// Signature describes the signature of the hmac scheme.
	Signature *Signature `yaml:"signature"`
	// Token says where the token scheme finds its token; with secrets of
	// its own, it pairs a shared token with another scheme (for
	// lightspeed-ecom, whose md5 signature is weak).
	Token *Token `yaml:"token"`
	// Currency is the ISO 4217 code of amounts when the platform's payload
	// names none (Lightspeed X-Series and eCom), and the default of the
	// generic presets.
	Currency string `yaml:"currency"`
	// Fields maps canonical field names to JSON paths in the payload, for
	// the generic and standard-webhooks platforms, e.g.
	// booking.start: data.booking.start_time.
	Fields map[string]string `yaml:"fields"`
	// Items reads line items the webhook lacks from the platform's
	// read-only API (package items): Stripe Checkout's, Square's orders',
	// Lightspeed X-Series' product names. Off unless set.
	Items *Items `yaml:"items"`
}

// Items is a source's read of line items from its platform's API.
type Items struct {
	// Secret names the secret holding the API credential: a Stripe
	// restricted key (rk_…) with read access to Checkout Sessions, a
	// Square access token limited to ORDERS_READ, a Lightspeed X-Series
	// token limited to products:read.
	Secret string `yaml:"secret"`
	// Timeout bounds one call, inside the delivery's deadline; default 1s.
	Timeout Duration `yaml:"timeout"`
	// DomainPrefix is the X-Series store's domain prefix (the "cafe" of
	// cafe.retail.lightspeed.app), required for lightspeed-xseries: the
	// host the token goes to is never taken from a delivery.
	DomainPrefix string `yaml:"domain_prefix"`
}

// DefaultItemsTimeout bounds one call of a platform's API for items.
const DefaultItemsTimeout = time.Second

// ItemsPlatforms are the platforms whose line items can be read.
var ItemsPlatforms = []string{"stripe", "square", "lightspeed-xseries"}

// Signature is the hmac scheme's signature: see webhook.HMACConfig.
type Signature struct {
	// Header carries the signature. Required.
	Header string `yaml:"header"`
	// Algorithm is sha256 (default), sha512, or sha1 if you must.
	Algorithm string `yaml:"algorithm"`
	// Encoding of the digest: hex (default) or base64.
	Encoding string `yaml:"encoding"`
	// Prefix precedes the digest, e.g. "sha256=".
	Prefix string `yaml:"prefix"`
	// TimestampHeader carries the Unix time of the delivery, signed and
	// checked against the tolerance.
	TimestampHeader string `yaml:"timestamp_header"`
	// Signed is what the HMAC covers, e.g. "{timestamp}.{body}"; default
	// "{body}", or "{timestamp}.{body}" with a timestamp header.
	Signed string `yaml:"signed"`
}

// Token is where a shared token travels.
type Token struct {
	// Header carries the token; default X-Safeview-Token unless query is
	// set.
	Header string `yaml:"header"`
	// Query accepts the token in the "token" query parameter, for
	// platforms that let you set only a URL. Query strings end up in
	// request logs: prefer a header where the platform allows one.
	Query bool `yaml:"query"`
	// Secrets names the token's secrets when it is paired with another
	// scheme. The token scheme's tokens are the source's secrets.
	Secrets []string `yaml:"secrets"`
}

var (
	sourceName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	headerName = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$")
	currency   = regexp.MustCompile(`^[A-Z]{3}$`)
)

// ErasurePlatform is the platform of a source that takes Safeview's own
// signed erasure and access requests (package platform, erasure.go): it
// feeds no table.
const ErasurePlatform = "erasure"

// MaxTolerance bounds a source's tolerance: a longer window is a longer
// replay window.
const MaxTolerance = time.Hour

func (c *Config) validateSources() []error {
	var errs []error
	if len(c.Sources) == 0 {
		errs = append(errs, c.Errorf("sources", "at least one source is required"))
	}
	for _, name := range c.SourceNames {
		s, path := c.Sources[name], "sources."+name
		if s == nil {
			errs = append(errs, c.Errorf(path, "empty source"))
			continue
		}
		if !sourceName.MatchString(name) {
			errs = append(errs, c.Errorf(path, "a source name is its URL path: use lower-case letters, digits, - and _"))
		}
		if !slices.Contains(platform.Names(), s.Platform) {
			errs = append(errs, c.Errorf(path+".platform", "unknown platform %q (known: %s)", s.Platform, strings.Join(platform.Names(), ", ")))
		}
		if s.Scheme != "" && !slices.Contains(webhook.Schemes(), s.Scheme) {
			errs = append(errs, c.Errorf(path+".scheme", "unknown signature scheme %q (known: %s)", s.Scheme, strings.Join(webhook.Schemes(), ", ")))
		}
		if len(s.Secrets) == 0 {
			errs = append(errs, c.Errorf(path+".secrets", "name at least one secret: deliveries are never accepted unsigned"))
		}
		errs = append(errs, c.validateSecretNames(path+".secrets", s.Secrets)...)
		if _, err := time.LoadLocation(s.TimeZone); err != nil {
			errs = append(errs, c.Errorf(path+".time_zone", "unknown time zone %q", s.TimeZone))
		}
		if s.Currency != "" && !currency.MatchString(s.Currency) {
			errs = append(errs, c.Errorf(path+".currency", "want an ISO 4217 code in capitals, e.g. EUR"))
		}
		if scheme, err := s.SchemeOf(); err == nil && slices.Contains(webhook.Schemes(), scheme) {
			errs = append(errs, c.validateScheme(path, scheme, s)...)
		}
		errs = append(errs, c.validateFields(path, s)...)
		errs = append(errs, c.validateShops(path, s)...)
		errs = append(errs, c.validateItems(path+".items", s)...)
		if s.Platform == ErasurePlatform && (s.Store != "" || s.Currency != "") {
			errs = append(errs, c.Errorf(path, "an erasure source writes no rows: store and currency mean nothing to it"))
		}
	}
	return errs
}

func (c *Config) validateSecretNames(path string, names []string) []error {
	var errs []error
	for i, sec := range names {
		if !secretName.MatchString(sec) {
			errs = append(errs, c.Errorf(path+"["+itoa(i)+"]", "a secret name has 1 to 255 letters, digits, - and _"))
		}
	}
	return errs
}

// validateScheme checks the options of the source's signature scheme.
func (c *Config) validateScheme(path, scheme string, s *Source) []error {
	var errs []error
	switch {
	case scheme == webhook.SchemeSquare && s.NotificationURL == "":
		errs = append(errs, c.Errorf(path+".notification_url", "required for the square scheme: the subscription's URL, exactly as in Square's dashboard"))
	case scheme == webhook.SchemeSquare:
		if u, err := url.Parse(s.NotificationURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, c.Errorf(path+".notification_url", "want an absolute https URL"))
		}
	case s.NotificationURL != "":
		errs = append(errs, c.Errorf(path+".notification_url", "only the square scheme signs a notification URL"))
	}

	timed := scheme == webhook.SchemeStripe || scheme == webhook.SchemeStandardWebhooks ||
		(scheme == webhook.SchemeHMAC && s.Signature != nil && s.Signature.TimestampHeader != "")
	switch d := time.Duration(s.Tolerance); {
	case d == 0:
	case !timed:
		errs = append(errs, c.Errorf(path+".tolerance", "the %s scheme signs no timestamp", scheme))
	case d < time.Second || d > MaxTolerance:
		errs = append(errs, c.Errorf(path+".tolerance", "want 1s to 1h"))
	}

	switch {
	case scheme == webhook.SchemeHMAC && s.Signature == nil:
		errs = append(errs, c.Errorf(path+".signature", "required for the hmac scheme: name at least its header"))
	case scheme == webhook.SchemeHMAC:
		errs = append(errs, c.validateSignature(path+".signature", s.Signature)...)
	case s.Signature != nil:
		errs = append(errs, c.Errorf(path+".signature", "only the hmac scheme takes a signature block (this source uses %s)", scheme))
	}

	if t := s.Token; t != nil {
		tp := path + ".token"
		if t.Header != "" && !headerName.MatchString(t.Header) {
			errs = append(errs, c.Errorf(tp+".header", "not a header name"))
		}
		switch {
		case scheme == webhook.SchemeToken && len(t.Secrets) > 0:
			errs = append(errs, c.Errorf(tp+".secrets", "the token scheme's tokens are the source's secrets; token.secrets pairs a token with another scheme"))
		case scheme != webhook.SchemeToken && len(t.Secrets) == 0:
			errs = append(errs, c.Errorf(tp+".secrets", "name the secret of the token to require on top of the %s signature", scheme))
		}
		errs = append(errs, c.validateSecretNames(tp+".secrets", t.Secrets)...)
	}
	return errs
}

func (c *Config) validateSignature(path string, sig *Signature) []error {
	var errs []error
	if !headerName.MatchString(sig.Header) {
		errs = append(errs, c.Errorf(path+".header", "name the header that carries the signature"))
	}
	if sig.TimestampHeader != "" && !headerName.MatchString(sig.TimestampHeader) {
		errs = append(errs, c.Errorf(path+".timestamp_header", "not a header name"))
	}
	if !slices.Contains([]string{"", webhook.AlgorithmSHA256, webhook.AlgorithmSHA512, webhook.AlgorithmSHA1}, sig.Algorithm) {
		errs = append(errs, c.Errorf(path+".algorithm", "want sha256, sha512 or sha1, not %q", sig.Algorithm))
	}
	if !slices.Contains([]string{"", webhook.EncodingHex, webhook.EncodingBase64}, sig.Encoding) {
		errs = append(errs, c.Errorf(path+".encoding", "want hex or base64, not %q", sig.Encoding))
	}
	if len(errs) == 0 {
		if err := sig.config().Check(); err != nil {
			msg := strings.TrimPrefix(err.Error(), webhook.ErrOptions.Error()+": ")
			errs = append(errs, c.Errorf(path+".signed", "%s", msg))
		}
	}
	return errs
}

// validateFields checks the generic presets' field map.
func (c *Config) validateFields(path string, s *Source) []error {
	generic := s.Platform == "generic" || s.Platform == "standard-webhooks"
	switch {
	case !generic && len(s.Fields) > 0:
		return []error{c.Errorf(path+".fields", "only the generic and standard-webhooks platforms take field paths (%s has a preset)", s.Platform)}
	case !generic:
		return nil
	case s.Fields["order.id"] == "" && s.Fields["booking.id"] == "":
		return []error{c.Errorf(path+".fields", "map order.id or booking.id (or both) to the JSON path of the id")}
	}
	var errs []error
	keys := make([]string, 0, len(s.Fields))
	for k := range s.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := platform.CheckGenericField(k, s.Fields[k]); err != nil {
			errs = append(errs, c.Errorf(path+".fields."+k, "%v", err))
		}
	}
	return errs
}

// validateShops checks a Shopify source's shops: domains, each once,
// and no store label that would merge them.
func (c *Config) validateShops(path string, s *Source) []error {
	switch {
	case len(s.Shops) == 0:
		return nil
	case s.Platform != "shopify":
		return []error{c.Errorf(path+".shops", "only a shopify source declares shops (%s names its store otherwise)", s.Platform)}
	}
	var errs []error
	seen := map[string]bool{}
	for i, d := range s.Shops {
		p := path + ".shops[" + itoa(i) + "]"
		shop, ok := platform.ShopDomain(d)
		switch {
		case !ok:
			errs = append(errs, c.Errorf(p, "want the shop's domain, e.g. cafe-demo.myshopify.com"))
		case seen[shop]:
			errs = append(errs, c.Errorf(p, "%s is listed twice", shop))
		}
		seen[shop] = true
	}
	if len(s.Shops) > 1 && s.Store != "" {
		errs = append(errs, c.Errorf(path+".store", "a source that serves several shops must not set store: one label on every shop's rows would make shop/redact remove all of them"))
	}
	return errs
}

// secretName is Secret Manager's rule for secret ids.
var domainPrefix = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// validateItems checks a source's read of line items.
func (c *Config) validateItems(path string, s *Source) []error {
	it := s.Items
	if it == nil {
		return nil
	}
	var errs []error
	if !slices.Contains(ItemsPlatforms, s.Platform) {
		return []error{c.Errorf(path, "only %s sources can read line items from their platform", strings.Join(ItemsPlatforms, ", "))}
	}
	if it.Secret == "" {
		errs = append(errs, c.Errorf(path+".secret", "name the secret holding the read-only API credential"))
	} else {
		errs = append(errs, c.validateSecretNames(path+".secret", []string{it.Secret})...)
	}
	if d := time.Duration(it.Timeout); d != 0 && (d < 50*time.Millisecond || d >= time.Duration(c.Limits.Deadline)) {
		errs = append(errs, c.Errorf(path+".timeout", "want 50ms to less than limits.deadline (%s)", time.Duration(c.Limits.Deadline)))
	}
	switch {
	case s.Platform == "lightspeed-xseries" && !domainPrefix.MatchString(it.DomainPrefix):
		errs = append(errs, c.Errorf(path+".domain_prefix", "required for lightspeed-xseries: the store's domain prefix, lower-case letters, digits and -"))
	case s.Platform != "lightspeed-xseries" && it.DomainPrefix != "":
		errs = append(errs, c.Errorf(path+".domain_prefix", "only lightspeed-xseries takes a domain prefix"))
	}
	return errs
}

var secretName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// SchemeOf returns the signature scheme a source uses.
func (s *Source) SchemeOf() (string, error) {
	if s.Scheme != "" {
		return s.Scheme, nil
	}
	return platform.SchemeOf(s.Platform)
}

// SecretNames lists the secrets the source names: its signing secrets,
// then its paired token's, then its items credential.
func (s *Source) SecretNames() []string {
	out := slices.Clone(s.Secrets)
	if s.Token != nil {
		out = append(out, s.Token.Secrets...)
	}
	if s.Items != nil && s.Items.Secret != "" {
		out = append(out, s.Items.Secret)
	}
	return out
}

func (sig *Signature) config() webhook.HMACConfig {
	if sig == nil {
		return webhook.HMACConfig{}
	}
	return webhook.HMACConfig{
		Header: sig.Header, Algorithm: sig.Algorithm, Encoding: sig.Encoding,
		Prefix: sig.Prefix, TimestampHeader: sig.TimestampHeader, Signed: sig.Signed,
	}
}

// WebhookOptions returns the options of the source's signature scheme.
// tokens are the live values of Token.Secrets, when the source pairs a
// token with its scheme.
func (s *Source) WebhookOptions(tokens []string) webhook.Options {
	o := webhook.Options{
		Tolerance:       time.Duration(s.Tolerance),
		NotificationURL: s.NotificationURL,
		HMAC:            s.Signature.config(),
	}
	if t := s.Token; t != nil {
		o.Token = webhook.TokenConfig{Header: t.Header, Query: t.Query, Values: tokens}
	}
	return o
}

// PresetOptions returns the options of the source's platform preset.
func (s *Source) PresetOptions() platform.Options {
	return platform.Options{Store: s.Store, Currency: s.Currency, Fields: s.Fields, Shops: s.Shops}
}
