package items

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/safeview/safeview/shared/platform"
)

// xseriesAPI reads the names of the products a sale names by id (GET
// /api/2.0/products/{id}), with a token limited to products:read, at the
// configured store's host only. Names are cached an hour by product: a
// sale's products are mostly the ones sold a minute ago.
type xseriesAPI struct {
	base  string
	http  *http.Client
	calls *atomic.Int64
	cache *expirable.LRU[string, string]
}

func newXSeries(o Options, prefix string, calls *atomic.Int64) *xseriesAPI {
	base := "https://" + prefix + ".retail.lightspeed.app"
	if o.Endpoint != "" {
		base = strings.TrimSuffix(o.Endpoint, "/")
	}
	return &xseriesAPI{base: base, http: o.HTTPClient, calls: calls,
		cache: expirable.NewLRU[string, string](o.CacheSize, nil, time.Hour)}
}

func (x *xseriesAPI) needs(o *platform.Order) bool {
	for _, it := range o.Items {
		if it.ProductID != "" && apiID.MatchString(it.ProductID) {
			return true
		}
	}
	return false
}

// xseriesProduct is the part of a product Safeview reads.
type xseriesProduct struct {
	Data struct {
		Name        string `json:"name"`
		VariantName string `json:"variant_name"`
	} `json:"data"`
}

func (x *xseriesAPI) cached(o *platform.Order) bool {
	left := false
	for i := range o.Items {
		it := &o.Items[i]
		if it.ProductID == "" || !apiID.MatchString(it.ProductID) {
			continue
		}
		if name, ok := x.cache.Get(it.ProductID); ok {
			it.Name, it.ProductID = name, ""
		} else {
			left = true
		}
	}
	return !left
}

func (x *xseriesAPI) fill(ctx context.Context, key string, o *platform.Order) (Outcome, error) {
	out := Missing // until a name is read: cached() named the others
	for i := range o.Items {
		it := &o.Items[i]
		if it.ProductID == "" || !apiID.MatchString(it.ProductID) {
			continue
		}
		name, ok := x.cache.Get(it.ProductID)
		if !ok {
			var p xseriesProduct
			got, err := getJSON(ctx, x.http, x.calls, x.base+"/api/2.0/products/"+it.ProductID, key, nil, &p)
			switch {
			case got == Missing:
				continue // a product deleted since: its id stays
			case got != Read:
				// What is read stays; the rest keep their ids.
				return got, err
			}
			out = Read
			name = p.Data.VariantName
			if name == "" {
				name = p.Data.Name
			}
			if name == "" {
				continue
			}
			x.cache.Add(it.ProductID, name)
		}
		it.Name, it.ProductID = name, ""
	}
	return out, nil
}
