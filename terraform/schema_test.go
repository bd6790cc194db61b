package terraform_test

import (
	"math/big"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/safeview/safeview/shared/queue"
)

// schema is what a block of a resource accepts: its arguments, the
// required ones among them, and its nested blocks.
type schema struct {
	args     []string
	required []string
	blocks   map[string]schema
}

// meta are the arguments and blocks every resource accepts.
var (
	metaArgs   = []string{"count", "for_each", "depends_on", "provider"}
	metaBlocks = []string{"lifecycle", "timeouts"}
)

// providerSchema is the part of the google provider's schema (7.x) that
// the resources of queue.tf and alerting.tf use, written down from the
// provider's documentation, as no provider binary is reachable from CI:
//
//   - google_pubsub_topic, google_pubsub_subscription,
//     google_pubsub_topic_iam_member, google_pubsub_subscription_iam_member:
//     registry.terraform.io/providers/hashicorp/google/latest/docs/resources/pubsub_topic,
//     …/pubsub_subscription (Argument Reference and the nested push_config,
//     oidc_token, dead_letter_policy, retry_policy, expiration_policy
//     blocks), …/pubsub_topic_iam;
//   - google_service_account_iam_member: …/google_service_account_iam;
//   - google_monitoring_notification_channel, google_monitoring_alert_policy
//     (conditions, condition_threshold, aggregations, documentation),
//     google_logging_metric (metric_descriptor, labels):
//     …/monitoring_notification_channel, …/monitoring_alert_policy,
//     …/logging_metric;
//   - data google_project: …/data-sources/project.
//
// Only the arguments used here are listed, with the bounds Pub/Sub
// documents checked in TestQueueBounds. go run ./scripts/tfvalidate (in CI)
// checks every type against google 6.50.0's published schema, and
// terraform validate (docs/deploy.md) against 7.x on a machine with the
// registry.
var providerSchema = map[string]schema{
	"google_pubsub_topic": {
		args:     []string{"name", "project", "labels", "message_retention_duration", "kms_key_name"},
		required: []string{"name"},
	},
	"google_pubsub_subscription": {
		args: []string{"name", "topic", "project", "labels", "ack_deadline_seconds", "message_retention_duration",
			"retain_acked_messages", "filter", "enable_message_ordering", "enable_exactly_once_delivery"},
		required: []string{"name", "topic"},
		blocks: map[string]schema{
			"push_config": {args: []string{"push_endpoint", "attributes"}, required: []string{"push_endpoint"}, blocks: map[string]schema{
				"oidc_token": {args: []string{"service_account_email", "audience"}, required: []string{"service_account_email"}},
			}},
			"dead_letter_policy": {args: []string{"dead_letter_topic", "max_delivery_attempts"}},
			"retry_policy":       {args: []string{"minimum_backoff", "maximum_backoff"}},
			"expiration_policy":  {args: []string{"ttl"}, required: []string{"ttl"}},
		},
	},
	"google_pubsub_topic_iam_member": {
		args: []string{"project", "topic", "role", "member"}, required: []string{"topic", "role", "member"},
	},
	"google_pubsub_subscription_iam_member": {
		args: []string{"project", "subscription", "role", "member"}, required: []string{"subscription", "role", "member"},
	},
	"google_service_account_iam_member": {
		args: []string{"service_account_id", "role", "member"}, required: []string{"service_account_id", "role", "member"},
	},
	"google_monitoring_notification_channel": {
		args:     []string{"project", "display_name", "type", "labels", "description", "enabled", "user_labels"},
		required: []string{"type"},
	},
	"google_monitoring_alert_policy": {
		args:     []string{"project", "display_name", "combiner", "notification_channels", "enabled", "user_labels", "severity"},
		required: []string{"display_name", "combiner"},
		blocks: map[string]schema{
			"conditions": {args: []string{"display_name"}, required: []string{"display_name"}, blocks: map[string]schema{
				"condition_threshold": {
					args:     []string{"filter", "comparison", "threshold_value", "duration", "denominator_filter"},
					required: []string{"comparison", "duration"},
					blocks: map[string]schema{
						"aggregations": {args: []string{"alignment_period", "per_series_aligner", "cross_series_reducer", "group_by_fields"}},
						"trigger":      {args: []string{"count", "percent"}},
					},
				},
			}},
			"documentation":  {args: []string{"content", "mime_type", "subject"}},
			"alert_strategy": {args: []string{"auto_close"}},
		},
	},
	"google_logging_metric": {
		args:     []string{"project", "name", "description", "filter", "label_extractors", "value_extractor", "disabled"},
		required: []string{"name", "filter"},
		blocks: map[string]schema{
			"metric_descriptor": {args: []string{"metric_kind", "value_type", "unit", "display_name"}, required: []string{"metric_kind", "value_type"},
				blocks: map[string]schema{"labels": {args: []string{"key", "value_type", "description"}, required: []string{"key"}}}},
		},
	},
}

// Every resource of a type above uses only the arguments and blocks the
// provider's schema has, and gives the required ones.
func TestProviderSchema(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	checked := map[string]bool{}
	for key, b := range m.resources {
		s, ok := providerSchema[b.Labels[0]]
		if !ok {
			continue
		}
		checked[b.Labels[0]] = true
		checkBlock(t, key, b.Body, s, true)
	}
	for _, typ := range []string{"google_pubsub_subscription", "google_monitoring_alert_policy", "google_logging_metric"} {
		if !checked[typ] {
			t.Errorf("no %s in the module: the schema check checks nothing", typ)
		}
	}
}

func checkBlock(t *testing.T, where string, body *hclsyntax.Body, s schema, top bool) {
	t.Helper()
	for name, a := range body.Attributes {
		if !slices.Contains(s.args, name) && !(top && slices.Contains(metaArgs, name)) {
			t.Errorf("%s: %s: unknown argument %q (known: %s)", a.SrcRange, where, name, strings.Join(s.args, ", "))
		}
	}
	for _, r := range s.required {
		if _, ok := body.Attributes[r]; !ok {
			t.Errorf("%s: missing the required argument %q", where, r)
		}
	}
	for _, b := range body.Blocks {
		inner, ok := s.blocks[b.Type]
		if !ok {
			if !(top && slices.Contains(metaBlocks, b.Type)) {
				t.Errorf("%s: %s: unknown block %q", b.DefRange(), where, b.Type)
			}
			continue
		}
		checkBlock(t, where+"."+b.Type, b.Body, inner, false)
	}
}

// The queue's settings stay within what Pub/Sub accepts, and the push
// subscription's token is for the writer's URL, where it pushes.
func TestQueueBounds(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	sub := m.resources["google_pubsub_subscription.destination"]
	if sub == nil {
		t.Fatal("no google_pubsub_subscription.destination")
	}
	if v := literal(t, sub.Body.Attributes["ack_deadline_seconds"]).AsBigFloat(); v.Cmp(bigf(10)) < 0 || v.Cmp(bigf(600)) > 0 {
		t.Errorf("ack_deadline_seconds = %v, want 10 to 600", v)
	}
	push := blocks(sub.Body, "push_config")
	if len(push) != 1 {
		t.Fatal("the writer's subscription has no push_config")
	}
	oidc := blocks(push[0].Body, "oidc_token")
	if len(oidc) != 1 {
		t.Fatal("the push_config has no oidc_token: the writer would get unauthenticated pushes")
	}
	endpoint := exprText(push[0].Body.Attributes["push_endpoint"])
	if aud := exprText(oidc[0].Body.Attributes["audience"]); aud != endpoint || endpoint != "local.writer_url" {
		t.Errorf("push_endpoint %s, audience %s: want both local.writer_url, the writer's SAFEVIEW_PUSH_AUDIENCE", endpoint, aud)
	}
	// One subscription per destination, each of its own messages, as
	// shared/queue.Filter writes the filter.
	if got := exprText(sub.Body.Attributes["filter"]); got != "each.value" {
		t.Errorf("filter = %s, want each.value (local.writer_subscriptions)", got)
	}
	subs := exprText(m.localAttrs["writer_subscriptions"])
	for _, want := range []string{"main = " + strconv.Quote(queue.Filter("")), "name => " + strconv.Quote(queue.Filter("${name}"))} {
		if !strings.Contains(subs, want) {
			t.Errorf("local.writer_subscriptions = %s, want %s, as shared/queue.Filter writes it", subs, want)
		}
	}
	if got, want := exprText(sub.Body.Attributes["name"]), `"${var.name_prefix}-writer-${each.key}"`; got != want {
		t.Errorf("name = %s, want %s, as scripts/internal/localstack names it", got, want)
	}
	// A destination added: its subscription before the function that
	// publishes to it; removed: after (create_before_destroy). Neither
	// may the main spreadsheet's key be a destination's.
	lc := blocks(sub.Body, "lifecycle")
	if len(lc) != 1 || exprText(lc[0].Body.Attributes["create_before_destroy"]) != "true" {
		t.Error("the destinations' subscriptions need lifecycle { create_before_destroy = true }")
	} else if pre := blocks(lc[0].Body, "precondition"); len(pre) != 1 || !strings.Contains(exprText(pre[0].Body.Attributes["condition"]), `"main"`) {
		t.Error("the destinations' subscriptions need a precondition refusing a destination named main")
	}
	if fn := m.resources["google_cloudfunctions2_function.main"]; fn == nil || !strings.Contains(exprText(fn.Body.Attributes["depends_on"]), "google_pubsub_subscription.destination") {
		t.Error("the functions must depend on google_pubsub_subscription.destination")
	}
	if len(blocks(sub.Body, "dead_letter_policy")) != 1 || len(blocks(sub.Body, "retry_policy")) != 1 {
		t.Error("the writer's subscription needs a dead_letter_policy and a retry_policy")
	}
	v := m.variables["queue_max_delivery_attempts"]
	if d := literal(t, v.Body.Attributes["default"]).AsBigFloat(); d.Cmp(bigf(20)) != 0 {
		t.Errorf("queue_max_delivery_attempts defaults to %v, want 20", d)
	}
	if _, ok := m.resources["google_cloud_run_service_iam_member.push"]; !ok {
		t.Error("no invoker grant of the writer to the push service account")
	}
	for key := range m.resources {
		if strings.HasPrefix(key, "google_project_iam_member.") && key != "google_project_iam_member.build_logs" {
			t.Errorf("%s: grant on the resource, not the project", key)
		}
	}
}

func bigf(f float64) *big.Float { return big.NewFloat(f) }

// exprText is an attribute's expression as written.
func exprText(a *hclsyntax.Attribute) string {
	if a == nil {
		return ""
	}
	src, err := os.ReadFile(a.SrcRange.Filename)
	if err != nil {
		return ""
	}
	return string(a.Expr.Range().SliceBytes(src))
}
