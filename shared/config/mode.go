package config

// Modes: how a delivery's rows reach the destinations.
const (
	// ModeDirect writes each row before the delivery is answered: the
	// platform's retries are the buffer. The default.
	ModeDirect = "direct"
	// ModeQueued publishes each destination's row to Pub/Sub and answers
	// once Pub/Sub has it; the writer function drains the topic into the
	// destinations (docs/queued.md).
	ModeQueued = "queued"
)

// Queued reports whether the configuration runs in queued mode.
func (c *Config) Queued() bool { return c.Mode == ModeQueued }

func (c *Config) validateMode() []error {
	switch c.Mode {
	case "":
		c.Mode = ModeDirect
	case ModeDirect, ModeQueued:
	default:
		return []error{c.Errorf("mode", "want direct or queued, not %q", c.Mode)}
	}
	return nil
}
