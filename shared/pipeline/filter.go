package pipeline

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/interpreter"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/platform"
)

// The views of an event that filters see. Customer identity is not among
// them: a filter never needs to know who ordered.
type orderView struct {
	ID        string    `cel:"id"`
	Number    string    `cel:"number"`
	Status    string    `cel:"status"`
	StatusRaw string    `cel:"status_raw"`
	Total     float64   `cel:"total"`
	Currency  string    `cel:"currency"`
	Store     string    `cel:"store"`
	Channel   string    `cel:"channel"`
	Test      bool      `cel:"test"`
	ItemCount int64     `cel:"item_count"`
	Created   time.Time `cel:"created"`
	Updated   time.Time `cel:"updated"`
}

type bookingView struct {
	ID        string    `cel:"id"`
	Service   string    `cel:"service"`
	Status    string    `cel:"status"`
	StatusRaw string    `cel:"status_raw"`
	PartySize int64     `cel:"party_size"`
	Total     float64   `cel:"total"`
	Currency  string    `cel:"currency"`
	Store     string    `cel:"store"`
	Channel   string    `cel:"channel"`
	Start     time.Time `cel:"start"`
	Created   time.Time `cel:"created"`
	Updated   time.Time `cel:"updated"`
}

type eventView struct {
	Topic    string `cel:"topic"`
	Source   string `cel:"source"`
	Platform string `cel:"platform"`
}

var celEnv = func() *cel.Env {
	env, err := cel.NewEnv(
		ext.NativeTypes(reflect.TypeFor[orderView](), reflect.TypeFor[bookingView](), reflect.TypeFor[eventView](), ext.ParseStructTags(true)),
		cel.Variable("order", cel.ObjectType("pipeline.orderView")),
		cel.Variable("booking", cel.ObjectType("pipeline.bookingView")),
		cel.Variable("event", cel.ObjectType("pipeline.eventView")),
		cel.CrossTypeNumericComparisons(true),
		ext.Strings(),
	)
	if err != nil {
		panic("pipeline: CEL environment: " + err.Error())
	}
	return env
}()

// filter decides whether an event may enter the table.
type filter struct {
	prg cel.Program
}

func compileFilter(cfg *config.Config, t *config.Table, path string) (*filter, error) {
	return compileExpr(cfg, t, t.Filter, path, "a filter")
}

// compileExpr compiles a CEL expression over the events of a table's
// kind: a table's filter, a destination's where.
func compileExpr(cfg *config.Config, t *config.Table, expr, path, what string) (*filter, error) {
	if expr == "" {
		return &filter{}, nil
	}
	ast, iss := celEnv.Compile(expr)
	if iss.Err() != nil {
		return nil, cfg.Errorf(path, "%v", iss.Err())
	}
	if ast.OutputType() != cel.BoolType {
		return nil, cfg.Errorf(path, "%s must be true or false, and this one is %s", what, ast.OutputType())
	}
	other := "booking"
	if t.Kind == "booking" {
		other = "order"
	}
	if refersTo(ast, other) {
		table := "this table"
		if what != "a filter" {
			table = "table " + t.Tab // a destination's where, for each of its tables
		}
		return nil, cfg.Errorf(path, "%s takes %s events; %s is never set", table, t.Kind, other)
	}
	prg, err := celEnv.Program(ast, cel.EvalOptions(cel.OptOptimize), cel.CostLimit(10000))
	if err != nil {
		return nil, cfg.Errorf(path, "%v", err)
	}
	return &filter{prg: prg}, nil
}

func refersTo(ast *cel.Ast, name string) bool {
	checked, err := cel.AstToCheckedExpr(ast)
	if err != nil {
		return false
	}
	for _, ref := range checked.GetReferenceMap() {
		if ref.GetName() == name {
			return true
		}
	}
	return false
}

func (f *filter) eval(in *Input) (bool, error) {
	if f == nil || f.prg == nil {
		return true, nil
	}
	vars := &activation{event: eventView{Topic: in.Event.Topic, Source: in.Source, Platform: in.Event.Platform}}
	if o := in.Event.Order; o != nil {
		vars.order = orderView{
			ID: o.ID, Number: o.Number, Status: string(o.Status), StatusRaw: o.StatusRaw,
			Total: float(o.Total.Amount), Currency: o.Total.Currency, Store: o.Store, Channel: o.Channel,
			Test: o.Test, ItemCount: count(o.Items), Created: o.Created, Updated: o.Updated,
		}
		vars.hasOrder = true
	}
	if b := in.Event.Booking; b != nil {
		vars.booking = bookingView{
			ID: b.ID, Service: b.Service, Status: string(b.Status), StatusRaw: b.StatusRaw, PartySize: b.PartySize,
			Total: float(b.Total.Amount), Currency: b.Total.Currency, Store: b.Store, Channel: b.Channel,
			Start: b.Start, Created: b.Created, Updated: b.Updated,
		}
		vars.hasBooking = true
	}
	out, _, err := f.prg.Eval(vars)
	if err != nil {
		// Runtime errors name the expression's step, never a value.
		return false, fmt.Errorf("filter: %w", err)
	}
	pass, ok := out.Value().(bool)
	return ok && pass, nil
}

// activation gives the filter its variables without a map per event.
type activation struct {
	event                eventView
	order                orderView
	booking              bookingView
	hasOrder, hasBooking bool
}

// ResolveName implements interpreter.Activation.
func (a *activation) ResolveName(name string) (any, bool) {
	switch {
	case name == "event":
		return a.event, true
	case name == "order" && a.hasOrder:
		return a.order, true
	case name == "booking" && a.hasBooking:
		return a.booking, true
	}
	return nil, false
}

// Parent implements interpreter.Activation.
func (a *activation) Parent() interpreter.Activation { return nil }

// float is for comparisons in filters only; cells keep the exact decimal.
func float(dec string) float64 {
	f, _ := strconv.ParseFloat(dec, 64)
	return f
}

func count(items []platform.Item) int64 {
	var n int64
	for _, it := range items {
		n += it.Quantity
	}
	return n
}

// Where is a destination's choice of the rows of one table it holds.
type Where struct{ f *filter }

// Holds reports whether the destination holds the row of an event; a
// nil Where holds every row.
func (w *Where) Holds(in *Input) (bool, error) {
	if w == nil {
		return true, nil
	}
	ok, err := w.f.eval(in)
	if err != nil {
		return false, fmt.Errorf("where: %w", err)
	}
	return ok, nil
}

// CompileWheres compiles the where of every destination for each table it
// holds, by destination and tab; a destination without one gets none.
// Errors name the path of each mistake in the file, as Compile's do.
func CompileWheres(cfg *config.Config) (map[string]map[string]*Where, error) {
	out := map[string]map[string]*Where{}
	var errs []error
	for _, name := range cfg.DestinationNames {
		d := cfg.Destinations[name]
		out[name] = map[string]*Where{}
		for _, t := range cfg.DestinationTables(d) {
			expr := d.WhereFor(t.Tab)
			if expr == "" {
				continue
			}
			path := "destinations." + name + ".where"
			if dt := d.Tables[t.Tab]; dt != nil && dt.Where != "" {
				path = "destinations." + name + ".tables." + t.Tab + ".where"
			}
			f, err := compileExpr(cfg, t, expr, path, "a where")
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out[name][t.Tab] = &Where{f: f}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
