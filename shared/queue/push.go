package queue

import (
	"encoding/json"
	"fmt"
	"time"
)

// Push is the body of Pub/Sub's push delivery (the "wrapped" payload):
// the message, the subscription it comes from and, when the subscription
// has a dead-letter policy, how many times it was delivered.
type Push struct {
	Message         PushMessage `json:"message"`
	Subscription    string      `json:"subscription"`
	DeliveryAttempt int         `json:"deliveryAttempt,omitempty"`
}

// PushMessage is the message of a push delivery. Data is base64 in the
// JSON, as encoding/json writes []byte.
type PushMessage struct {
	Data        []byte            `json:"data,omitempty"`
	Attributes  map[string]string `json:"attributes,omitempty"`
	MessageID   string            `json:"messageId"`
	PublishTime time.Time         `json:"publishTime"`
	OrderingKey string            `json:"orderingKey,omitempty"`
}

// ParsePush reads a push delivery's body. Its errors wrap ErrMalformed
// and never quote the body.
func ParsePush(body []byte) (Push, error) {
	var p Push
	if err := json.Unmarshal(body, &p); err != nil {
		return Push{}, fmt.Errorf("%w: not a push delivery", ErrMalformed)
	}
	if p.Message.MessageID == "" || p.Message.PublishTime.IsZero() {
		return Push{}, fmt.Errorf("%w: a push delivery without its message id or publish time", ErrMalformed)
	}
	return p, nil
}

// Published is when the message was first published: its publish time,
// or, for a dead letter published again by scripts/replay, the time its
// AttrPublished attribute keeps.
func (p Push) Published() time.Time {
	if s, ok := p.Message.Attributes[AttrPublished]; ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t
		}
	}
	return p.Message.PublishTime
}
