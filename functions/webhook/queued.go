package webhookfn

import (
	"context"
	"errors"
	"fmt"
	"os"

	"cloud.google.com/go/pubsub/v2"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/queue"
	"github.com/safeview/safeview/shared/view"
)

// EnvTopic names the Pub/Sub topic of queued mode (its id, or
// projects/PROJECT/topics/ID), in EnvProject. Terraform sets it; locally,
// PUBSUB_EMULATOR_HOST points the client at the fake server.
const EnvTopic = "SAFEVIEW_TOPIC"

// topicFromEnv returns the publisher of the topic of queued mode.
func topicFromEnv(ctx context.Context) (*pubsub.Publisher, error) {
	name, project := os.Getenv(EnvTopic), os.Getenv(EnvProject)
	if name == "" || project == "" {
		return nil, errors.New("mode: queued publishes to Pub/Sub: set " + EnvTopic + " and " + EnvProject)
	}
	c, err := pubsub.NewClient(ctx, project)
	if err != nil {
		return nil, fmt.Errorf("pubsub client: %w", err)
	}
	return c.Publisher(name), nil
}

// publishers are the destinations of queued mode: for the main
// spreadsheet and every destination of the configuration, a publisher
// of what it is to receive, on the one topic the writer drains.
func publishers(cfg *config.Config, topic *pubsub.Publisher) map[string]view.Destination {
	out := map[string]view.Destination{"": queue.NewPublisher(topic, "")}
	for _, name := range cfg.DestinationNames {
		if d := cfg.Destinations[name]; d.Kind != config.KindExcel && d.Spreadsheet.ID == "" {
			// Pending, as in direct mode: no spreadsheet yet, so no
			// message that no writer could deliver (view.New logs it).
			continue
		}
		out[name] = queue.NewPublisher(topic, name)
	}
	return out
}
