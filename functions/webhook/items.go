package webhookfn

import (
	"context"
	"errors"
	"log/slog"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/items"
	"github.com/safeview/safeview/shared/platform"
)

// newFiller builds the reader of a source's missing line items. Its
// credential is the newest version of its secret, read at each call
// through the resolver's cache, so a rotation needs no restart.
func newFiller(sc *config.Source, d Deps) (*items.Filler, error) {
	name := sc.Items.Secret
	return items.New(sc.Platform, sc.Items, items.Options{
		Endpoint: d.ItemsEndpoint,
		Key: func(ctx context.Context) (string, error) {
			vals, err := d.Secrets.Lookup(ctx, name)
			if err != nil {
				return "", err
			}
			if len(vals) == 0 || vals[0] == "" {
				return "", errors.New("no value")
			}
			return vals[0], nil
		},
	})
}

// fillItems reads the line items ev's order lacks. Whatever happens, the
// delivery goes on: without items when they could not be read (a later
// delivery of the order fills them). The log says what happened, never
// an item, an id or the platform's words.
func fillItems(ctx context.Context, f *items.Filler, ev *platform.Event, log *slog.Logger) *slog.Logger {
	out, err := f.Fill(ctx, ev)
	if out == items.None {
		return log
	}
	log = log.With("items", string(out))
	if err != nil {
		log.WarnContext(ctx, "line items not read: the row is written without them", "reason", err.Error())
	}
	return log
}
