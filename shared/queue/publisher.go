package queue

import (
	"context"
	"fmt"
	"sync/atomic"

	"cloud.google.com/go/pubsub/v2"

	"github.com/safeview/safeview/shared/model"
)

// Publisher is one destination seen through the topic: it keeps nothing
// itself, and publishes what the destination is to receive. It has the
// methods of view.Destination, so that the view's fan-out and projection
// run unchanged in queued mode: each destination's row is the one it
// would have written.
type Publisher struct {
	topic       *pubsub.Publisher
	destination string
	published   atomic.Int64
}

// NewPublisher returns the publisher of one destination ("" the main
// spreadsheet) on a topic. Every destination's publisher may share one
// topic: the writer routes by the message's destination.
func NewPublisher(topic *pubsub.Publisher, destination string) *Publisher {
	return &Publisher{topic: topic, destination: destination}
}

// Upsert publishes the row and returns model.Queued once Pub/Sub has
// acknowledged it: from then on, the topic keeps it until the writer has
// written it. A failed publish wraps model.ErrUnavailable: the platform
// retries the delivery.
func (p *Publisher) Upsert(ctx context.Context, table string, r model.Row) (model.Result, error) {
	if err := p.publish(ctx, Message{Kind: KindRow, Destination: p.destination, Table: table, Row: r}); err != nil {
		return "", err
	}
	return model.Queued, nil
}

// Apply publishes the request, after every row this publisher has
// published (each upsert returned once its row was acknowledged); the
// writer applies it after the rows published before it (see package
// functions/writer). The report is empty: what the request finds is the
// writer's to log.
func (p *Publisher) Apply(ctx context.Context, a model.Action, sel []model.Select) (model.Report, error) {
	if err := p.publish(ctx, Message{Kind: KindRequest, Destination: p.destination, Action: a, Select: sel}); err != nil {
		return model.Report{}, err
	}
	return model.Report{}, nil
}

// Stats counts the messages published, as Rows.
func (p *Publisher) Stats() model.Stats { return model.Stats{Rows: int(p.published.Load())} }

func (p *Publisher) publish(ctx context.Context, m Message) error {
	data, attrs, err := Encode(m)
	if err != nil {
		return err
	}
	if _, err := p.topic.Publish(ctx, &pubsub.Message{Data: data, Attributes: attrs}).Get(ctx); err != nil {
		return fmt.Errorf("publish to %s: %w: %w", p.topic.ID(), model.ErrUnavailable, err)
	}
	p.published.Add(1)
	return nil
}
