// Package queue is the Pub/Sub side of queued mode: the messages that
// carry a destination's rows and requests from the webhook function to
// the writer function, the Publisher that sends them (a destination of
// its own: the view hands it each destination's projected row, as it
// would hand it to the destination), and the envelope Pub/Sub's push
// delivery wraps them in.
//
// A message holds what the destination would receive and nothing else:
// the table, the row's source, key, version and flags, and the cells the
// configuration lets out to that destination, already masked and
// guarded. Never the delivery's payload, never a header. Its attributes
// name the kind of message, the destination and the table, for Pub/Sub
// filters and for people reading dead letters.
package queue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/safeview/safeview/shared/model"
)

// Kinds of message.
const (
	// KindRow carries one table's row for one destination: an upsert.
	KindRow = "row"
	// KindRequest carries an erasure or access request for one
	// destination: an action and the selections it applies to.
	KindRequest = "request"
)

// Attributes of every message.
const (
	AttrKind        = "kind"
	AttrDestination = "destination"
	AttrTable       = "table"
	// AttrPublished is set by scripts/replay on a message it publishes
	// again: when the message was first published (RFC 3339), which
	// orders it among requests (see Push.Published).
	AttrPublished = "published"
	// AttrReplay is set by scripts/replay on a message it publishes
	// again: the id of that run, random, so that the run knows the
	// message if it comes back dead while it runs.
	AttrReplay = "replay"
)

// Filter is the filter of the subscription of one destination ("" the
// main spreadsheet): each destination has a push subscription of its own
// on the one topic, so that a destination behind (a workbook past Graph's
// pace, a spreadsheet away) keeps its backlog to itself, and Pub/Sub
// pushes the others' messages meanwhile. Terraform writes the same
// filter (terraform/queue.tf). A destination's name, as the
// configuration allows it, holds no quote or backslash.
func Filter(destination string) string {
	if destination == "" {
		// Also a message without the attribute, or with it empty (as
		// published before it said "main"): no message of this topic is
		// left without a subscription.
		return `attributes.` + AttrDestination + ` = "` + MainDestination + `" OR attributes.` + AttrDestination + ` = "" OR NOT attributes:` + AttrDestination
	}
	return `attributes.` + AttrDestination + ` = "` + destination + `"`
}

// MainDestination is the destination attribute of the main
// spreadsheet's messages (config.MainName): a value Pub/Sub's filters
// match for certain, where an empty one is doubtful.
const MainDestination = "main"

// attrDestination is a destination's attribute value.
func attrDestination(destination string) string {
	if destination == "" {
		return MainDestination
	}
	return destination
}

// DestinationOf is the destination a message's attributes name ("" the
// main spreadsheet: its attribute, empty, or none), as Filter routes it.
func DestinationOf(attrs map[string]string) string {
	if d := attrs[AttrDestination]; d != MainDestination {
		return d
	}
	return ""
}

// version is the format of a message's data. A writer refuses a format
// it does not know (the message is retried, then dead-lettered, and
// replayed once the writer is upgraded) rather than guess.
const version = 1

// Message is a row or a request on its way to one destination.
type Message struct {
	Kind string
	// Destination names the destination, "" for the main spreadsheet.
	Destination string
	// Table and Row are a row message's.
	Table string
	Row   model.Row
	// Action and Select are a request message's.
	Action model.Action
	Select []model.Select
}

// wire is a message's data, in JSON.
type wire struct {
	V           int            `json:"v"`
	Kind        string         `json:"kind"`
	Destination string         `json:"destination"`
	Table       string         `json:"table,omitempty"`
	Row         *wireRow       `json:"row,omitempty"`
	Action      model.Action   `json:"action,omitempty"`
	Select      []model.Select `json:"select,omitempty"`
}

type wireRow struct {
	Source  string     `json:"source"`
	Key     string     `json:"key"`
	Version int64      `json:"version"`
	Insert  bool       `json:"insert,omitempty"`
	Update  bool       `json:"update,omitempty"`
	Leave   bool       `json:"leave,omitempty"`
	Cells   []wireCell `json:"cells"`
}

type wireCell struct {
	Text          string `json:"t,omitempty"`
	Number        string `json:"n,omitempty"`
	FormatType    string `json:"ft,omitempty"`
	FormatPattern string `json:"fp,omitempty"`
}

// ErrMalformed is the error of data that is not a message of this
// format.
var ErrMalformed = errors.New("queue: malformed message")

// Encode returns a message's data and attributes.
func Encode(m Message) ([]byte, map[string]string, error) {
	w := wire{V: version, Kind: m.Kind, Destination: m.Destination}
	attrs := map[string]string{AttrKind: m.Kind, AttrDestination: attrDestination(m.Destination)}
	switch m.Kind {
	case KindRow:
		w.Table = m.Table
		attrs[AttrTable] = m.Table
		r := m.Row
		w.Row = &wireRow{Source: r.Source, Key: r.Key, Version: r.Version, Insert: r.Insert, Update: r.Update, Leave: r.Leave,
			Cells: make([]wireCell, len(r.Cells))}
		for i, c := range r.Cells {
			w.Row.Cells[i] = wireCell(c)
		}
	case KindRequest:
		w.Action, w.Select = m.Action, m.Select
	default:
		return nil, nil, fmt.Errorf("queue: unknown kind %q", m.Kind)
	}
	data, err := json.Marshal(w)
	return data, attrs, err
}

// Decode reads a message's data. Its errors wrap ErrMalformed and never
// quote the data.
func Decode(data []byte) (Message, error) {
	var w wire
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return Message{}, fmt.Errorf("%w: not the JSON of a message", ErrMalformed)
	}
	if w.V != version {
		return Message{}, fmt.Errorf("%w: format %d, want %d", ErrMalformed, w.V, version)
	}
	m := Message{Kind: w.Kind, Destination: w.Destination}
	switch w.Kind {
	case KindRow:
		if w.Row == nil || w.Table == "" || w.Row.Key == "" {
			return Message{}, fmt.Errorf("%w: a row without its table or key", ErrMalformed)
		}
		r := w.Row
		m.Table = w.Table
		m.Row = model.Row{Source: r.Source, Key: r.Key, Version: r.Version, Insert: r.Insert, Update: r.Update, Leave: r.Leave,
			Cells: make([]model.Cell, len(r.Cells))}
		for i, c := range r.Cells {
			m.Row.Cells[i] = model.Cell(c)
		}
	case KindRequest:
		switch w.Action {
		case model.Count, model.Read, model.Clear, model.Delete:
		default:
			return Message{}, fmt.Errorf("%w: unknown action", ErrMalformed)
		}
		m.Action, m.Select = w.Action, w.Select
	default:
		return Message{}, fmt.Errorf("%w: unknown kind", ErrMalformed)
	}
	return m, nil
}
