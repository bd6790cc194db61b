package gsheetstest

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Method names, as Google's API discovery document names them without the
// "sheets." prefix. Stats and fault filters use them.
const (
	MethodCreate                  = "spreadsheets.create"
	MethodGet                     = "spreadsheets.get"
	MethodGetByDataFilter         = "spreadsheets.getByDataFilter"
	MethodBatchUpdate             = "spreadsheets.batchUpdate"
	MethodValuesGet               = "spreadsheets.values.get"
	MethodValuesUpdate            = "spreadsheets.values.update"
	MethodValuesAppend            = "spreadsheets.values.append"
	MethodValuesClear             = "spreadsheets.values.clear"
	MethodValuesBatchGet          = "spreadsheets.values.batchGet"
	MethodValuesBatchUpdate       = "spreadsheets.values.batchUpdate"
	MethodValuesBatchClear        = "spreadsheets.values.batchClear"
	MethodValuesBatchGetByFilter  = "spreadsheets.values.batchGetByDataFilter"
	MethodValuesBatchUpdateFilter = "spreadsheets.values.batchUpdateByDataFilter"
	MethodValuesBatchClearFilter  = "spreadsheets.values.batchClearByDataFilter"
	MethodMetadataGet             = "spreadsheets.developerMetadata.get"
	MethodMetadataSearch          = "spreadsheets.developerMetadata.search"
	MethodSheetsCopyTo            = "spreadsheets.sheets.copyTo"
)

// readMethods are the methods Google counts as read requests; every other
// method counts as a write.
var readMethods = map[string]bool{
	MethodGet: true, MethodGetByDataFilter: true, MethodValuesGet: true, MethodValuesBatchGet: true,
	MethodValuesBatchGetByFilter: true, MethodMetadataGet: true, MethodMetadataSearch: true,
}

type routed struct {
	method string
	id     string
	param  string
	h      handler
}

// route maps an HTTP method and escaped path to an API method. Paths are
// split before unescaping, so that a range such as "a/b!A1" stays whole.
func route(verb, escaped string) (routed, *apiError) {
	rest, ok := strings.CutPrefix(escaped, "/v4/spreadsheets")
	if !ok {
		return routed{}, notFound("gsheetstest: no Sheets API method at %s %s", verb, escaped)
	}
	var segs []string
	if rest != "" {
		if rest[0] != '/' {
			return routed{}, notFound("gsheetstest: no Sheets API method at %s %s", verb, escaped)
		}
		for _, s := range strings.Split(rest[1:], "/") {
			u, err := url.PathUnescape(s)
			if err != nil {
				return routed{}, invalidArgument("Invalid path: %s", escaped)
			}
			segs = append(segs, u)
		}
	}
	type cand struct {
		verb, method string
		h            handler
	}
	pick := func(id, param string, cs ...cand) (routed, *apiError) {
		var allowed []string
		for _, c := range cs {
			if c.verb == verb {
				return routed{method: c.method, id: id, param: param, h: c.h}, nil
			}
			allowed = append(allowed, c.verb)
		}
		return routed{}, &apiError{code: http.StatusMethodNotAllowed, status: "UNIMPLEMENTED",
			message: fmt.Sprintf("gsheetstest: %s %s is not allowed; use %s", verb, escaped, strings.Join(allowed, " or "))}
	}
	switch len(segs) {
	case 0:
		return pick("", "", cand{http.MethodPost, MethodCreate, handleCreate})
	case 1:
		id, verbSuffix, _ := strings.Cut(segs[0], ":")
		switch verbSuffix {
		case "":
			return pick(id, "", cand{http.MethodGet, MethodGet, handleGet})
		case "batchUpdate":
			return pick(id, "", cand{http.MethodPost, MethodBatchUpdate, handleBatchUpdate})
		case "getByDataFilter":
			return pick(id, "", cand{http.MethodPost, MethodGetByDataFilter, handleGetByDataFilter})
		}
	case 2:
		id := segs[0]
		switch segs[1] {
		case "values:batchGet":
			return pick(id, "", cand{http.MethodGet, MethodValuesBatchGet, handleValuesBatchGet})
		case "values:batchUpdate":
			return pick(id, "", cand{http.MethodPost, MethodValuesBatchUpdate, handleValuesBatchUpdate})
		case "values:batchClear":
			return pick(id, "", cand{http.MethodPost, MethodValuesBatchClear, handleValuesBatchClear})
		case "values:batchGetByDataFilter":
			return pick(id, "", cand{http.MethodPost, MethodValuesBatchGetByFilter, handleValuesBatchGetByDataFilter})
		case "values:batchUpdateByDataFilter":
			return pick(id, "", cand{http.MethodPost, MethodValuesBatchUpdateFilter, handleValuesBatchUpdateByDataFilter})
		case "values:batchClearByDataFilter":
			return pick(id, "", cand{http.MethodPost, MethodValuesBatchClearFilter, handleValuesBatchClearByDataFilter})
		case "developerMetadata:search":
			return pick(id, "", cand{http.MethodPost, MethodMetadataSearch, handleMetadataSearch})
		}
	case 3:
		id, kind, last := segs[0], segs[1], segs[2]
		switch kind {
		case "values":
			if rng, ok := strings.CutSuffix(last, ":append"); ok {
				return pick(id, rng, cand{http.MethodPost, MethodValuesAppend, handleValuesAppend})
			}
			if rng, ok := strings.CutSuffix(last, ":clear"); ok && verb == http.MethodPost {
				return pick(id, rng, cand{http.MethodPost, MethodValuesClear, handleValuesClear})
			}
			return pick(id, last, cand{http.MethodGet, MethodValuesGet, handleValuesGet}, cand{http.MethodPut, MethodValuesUpdate, handleValuesUpdate})
		case "developerMetadata":
			return pick(id, last, cand{http.MethodGet, MethodMetadataGet, handleMetadataGet})
		case "sheets":
			if sid, ok := strings.CutSuffix(last, ":copyTo"); ok {
				return pick(id, sid, cand{http.MethodPost, MethodSheetsCopyTo, handleCopyTo})
			}
		}
	}
	return routed{}, notFound("gsheetstest: no Sheets API method at %s %s", verb, escaped)
}

// standardParams are the system parameters every Google API accepts.
var standardParams = map[string]bool{
	"alt": true, "prettyPrint": true, "fields": true, "key": true, "quotaUser": true, "access_token": true,
	"oauth_token": true, "callback": true, "upload_protocol": true, "uploadType": true, "$.xgafv": true, "userIp": true,
}

// enumParam describes a query parameter whose value is a proto enum.
type enumParam struct {
	proto  string // field name in Google's messages
	typ    string // proto enum type
	values []string
}

var (
	pValueRender    = enumParam{"value_render_option", "ValueRenderOption", []string{"FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"}}
	pDateTimeRender = enumParam{"date_time_render_option", "DateTimeRenderOption", []string{"SERIAL_NUMBER", "FORMATTED_STRING"}}
	pMajor          = enumParam{"major_dimension", "Dimension", []string{"DIMENSION_UNSPECIFIED", "ROWS", "COLUMNS"}}
	pValueInput     = enumParam{"value_input_option", "ValueInputOption", []string{"INPUT_VALUE_OPTION_UNSPECIFIED", "RAW", "USER_ENTERED"}}
	pInsertData     = enumParam{"insert_data_option", "InsertDataOption", []string{"OVERWRITE", "INSERT_ROWS"}}
	pBool           = enumParam{typ: "bool", values: []string{"true", "false"}}
)

// methodParams lists the query parameters of each method beside the standard ones.
var methodParams = map[string]map[string]enumParam{
	MethodGet:            {"ranges": {}, "includeGridData": withProto(pBool, "include_grid_data"), "excludeTablesInBandedRanges": withProto(pBool, "exclude_tables_in_banded_ranges")},
	MethodValuesGet:      {"majorDimension": pMajor, "valueRenderOption": pValueRender, "dateTimeRenderOption": pDateTimeRender},
	MethodValuesBatchGet: {"ranges": {}, "majorDimension": pMajor, "valueRenderOption": pValueRender, "dateTimeRenderOption": pDateTimeRender},
	MethodValuesUpdate: {"valueInputOption": pValueInput, "includeValuesInResponse": withProto(pBool, "include_values_in_response"),
		"responseValueRenderOption": withProto(pValueRender, "response_value_render_option"), "responseDateTimeRenderOption": withProto(pDateTimeRender, "response_date_time_render_option")},
	MethodValuesAppend: {"valueInputOption": pValueInput, "insertDataOption": pInsertData, "includeValuesInResponse": withProto(pBool, "include_values_in_response"),
		"responseValueRenderOption": withProto(pValueRender, "response_value_render_option"), "responseDateTimeRenderOption": withProto(pDateTimeRender, "response_date_time_render_option")},
}

func withProto(p enumParam, proto string) enumParam { p.proto = proto; return p }

// checkQuery refuses unknown query parameters and bad enum values with
// Google's messages, so that a typo in a call fails as it would in production.
func checkQuery(method string, q url.Values) *apiError {
	known := methodParams[method]
	for name, vals := range q {
		if standardParams[name] {
			continue
		}
		p, ok := known[name]
		if !ok {
			return invalidArgument("Invalid JSON payload received. Unknown name %q: Cannot bind query parameter. Field '%s' could not be found in request message.", name, name)
		}
		if p.values == nil {
			continue
		}
		for _, v := range vals {
			if !slices.Contains(p.values, v) {
				if p.typ == "bool" {
					return invalidArgument("Invalid value at '%s' (TYPE_BOOL), %q", p.proto, v)
				}
				return invalidArgument("Invalid value at '%s' (type.googleapis.com/google.apps.sheets.v4.%s), %q", p.proto, p.typ, v)
			}
		}
	}
	return nil
}
