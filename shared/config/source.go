package config

import (
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
	// Secrets names the secrets that sign the deliveries. All live
	// versions of all of them verify.
	Secrets []string `yaml:"secrets"`
	// Store replaces the store the platform names in the store columns.
	Store string `yaml:"store"`
	// TimeZone is the IANA time zone of the store; default the
	// spreadsheet's.
	TimeZone string `yaml:"time_zone"`
}

var sourceName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

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
		for i, sec := range s.Secrets {
			if !secretName.MatchString(sec) {
				errs = append(errs, c.Errorf(path+".secrets["+itoa(i)+"]", "a secret name has 1 to 255 letters, digits, - and _"))
			}
		}
		if _, err := time.LoadLocation(s.TimeZone); err != nil {
			errs = append(errs, c.Errorf(path+".time_zone", "unknown time zone %q", s.TimeZone))
		}
	}
	return errs
}

// secretName is Secret Manager's rule for secret ids.
var secretName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// SchemeOf returns the signature scheme a source uses.
func (s *Source) SchemeOf() (string, error) {
	if s.Scheme != "" {
		return s.Scheme, nil
	}
	p, err := platform.New(s.Platform, platform.Options{})
	if err != nil {
		return "", err
	}
	return p.Scheme(), nil
}
