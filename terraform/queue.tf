# Queued mode (mode: queued in the configuration): the webhook function
# publishes each destination's row to a topic, and the writer function,
# pushed by a subscription, writes them. Nothing here exists in direct
# mode. docs/queued.md explains the mode; the arithmetic of the retry
# policy below is there too.

locals {
  queued = try(local.config.mode, "direct") == "queued"

  # The writer's URL, known before the function exists (the push
  # subscription's audience and the writer's own SAFEVIEW_PUSH_AUDIENCE
  # both need it): gen2 functions keep the cloudfunctions.net form.
  # check "writer_url" below compares it with the function's.
  writer_url = "https://${var.region}-${var.project_id}.cloudfunctions.net/${var.name_prefix}-writer"

  # Pub/Sub's retry policy: 10 s, doubling up to 10 min between
  # deliveries of a failing message. With 20 attempts a message waits
  # 10+20+40+80+160+320 s, then 600 s fourteen times: about 2 h 35 min of
  # outage before it is dead-lettered, and kept 7 days there.
  queue_minimum_backoff = "10s"
  queue_maximum_backoff = "600s"
  # Pub/Sub's longest retention, for the topic's subscriptions.
  queue_retention = "604800s"

  # The writer's subscriptions, by destination ("main", the main
  # spreadsheet, which no destination may be named): the filter of each,
  # on the destination attribute of the messages, as shared/queue.Filter
  # writes it. The main spreadsheet's also takes a message without it, or
  # with it empty (published before the attribute said "main"): no
  # message is left without a subscription.
  writer_subscriptions = merge(
    { main = "attributes.destination = \"main\" OR attributes.destination = \"\" OR NOT attributes:destination" },
    { for name in keys(try(local.config.destinations, {})) : name => "attributes.destination = \"${name}\"" },
  )

  # Pub/Sub's service agent, which forwards dead letters and signs the
  # push tokens.
  pubsub_agent = "serviceAccount:service-${data.google_project.main.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

data "google_project" "main" {
  project_id = var.project_id
}

resource "google_pubsub_topic" "rows" {
  count = local.queued ? 1 : 0

  project = var.project_id
  name    = "${var.name_prefix}-rows"
  labels  = local.labels

  depends_on = [google_project_service.main]
}

resource "google_pubsub_topic" "dead_letters" {
  count = local.queued ? 1 : 0

  project = var.project_id
  name    = "${var.name_prefix}-dead-letters"
  labels  = local.labels

  depends_on = [google_project_service.main]
}

# The writer's subscriptions, one per destination, each of the messages
# of its destination (filtered on the attribute the webhook function
# sets, as shared/queue.Filter writes it): a destination behind (a
# workbook past Graph's pace, a spreadsheet away) keeps its backlog, its
# retries and its push window to itself, and Pub/Sub goes on pushing the
# others' messages. Pub/Sub pushes each message to the writer function
# with an OIDC token of the push service account, retries a failed push
# with exponential backoff, and after the most attempts moves it to the
# dead-letter topic. Named <prefix>-writer-<destination>, main for the
# main spreadsheet. A filter cannot change: adding a destination adds its
# subscription, removing one deletes its subscription and what waits in
# it (docs/queued.md).
resource "google_pubsub_subscription" "destination" {
  for_each = local.queued ? local.writer_subscriptions : {}

  project = var.project_id
  name    = "${var.name_prefix}-writer-${each.key}"
  topic   = google_pubsub_topic.rows[0].id
  labels  = local.labels
  filter  = each.value

  # The push's HTTP timeout too; the writer answers within its
  # SAFEVIEW_PUSH_DEADLINE (30 s).
  ack_deadline_seconds       = 60
  message_retention_duration = local.queue_retention

  push_config {
    push_endpoint = local.writer_url
    oidc_token {
      service_account_email = google_service_account.push[0].email
      audience              = local.writer_url
    }
  }

  retry_policy {
    minimum_backoff = local.queue_minimum_backoff
    maximum_backoff = local.queue_maximum_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letters[0].id
    max_delivery_attempts = var.queue_max_delivery_attempts
  }

  expiration_policy {
    ttl = "" # never expires, however long the shop is quiet
  }

  lifecycle {
    # A destination removed: Terraform updates the webhook function (which
    # depends on this) before it destroys the subscription, so that no
    # row is published while no subscription takes it. Nothing here is
    # ever replaced under the same name (the name and filter follow the
    # key).
    create_before_destroy = true

    precondition {
      condition     = !contains(keys(try(local.config.destinations, {})), "main")
      error_message = "A destination is named main in ${local.config_file}: that name is the main spreadsheet's subscription (<prefix>-writer-main). Rename the destination (docs/queued.md, \"Upgrading from one subscription\")."
    }
  }

  # Not on the writer's invoker grant: the functions wait for the
  # subscriptions (functions.tf), and until the grant exists Pub/Sub
  # retries the pushes it refuses.
  depends_on = [
    google_pubsub_topic_iam_member.dead_letters_agent,
  ]
}

# Where dead letters wait, 7 days, for scripts/replay.
resource "google_pubsub_subscription" "dead_letters" {
  count = local.queued ? 1 : 0

  project = var.project_id
  name    = "${var.name_prefix}-dead-letters"
  topic   = google_pubsub_topic.dead_letters[0].id
  labels  = local.labels

  ack_deadline_seconds       = 60
  message_retention_duration = local.queue_retention

  expiration_policy {
    ttl = ""
  }
}

# The account whose tokens Pub/Sub attaches to its pushes: the only one
# that may invoke the writer.
resource "google_service_account" "push" {
  count = local.queued ? 1 : 0

  project      = var.project_id
  account_id   = "${var.name_prefix}-push"
  display_name = "Safeview queue pushes"
  description  = "Pub/Sub signs its pushes to the Safeview writer function as this account. It may invoke the writer, nothing else."

  depends_on = [google_project_service.main]
}

# The grants, each on its one resource.

# The webhook function publishes to the topic.
resource "google_pubsub_topic_iam_member" "webhook_publishes" {
  count = local.queued ? 1 : 0

  project = var.project_id
  topic   = google_pubsub_topic.rows[0].name
  role    = "roles/pubsub.publisher"
  member  = google_service_account.function["webhook"].member
}

# The push service account invokes the writer (Cloud Run checks its token).
resource "google_cloud_run_service_iam_member" "push" {
  count = local.queued ? 1 : 0

  project  = var.project_id
  location = google_cloudfunctions2_function.main["writer"].location
  service  = google_cloudfunctions2_function.main["writer"].name
  role     = "roles/run.invoker"
  member   = google_service_account.push[0].member
}

# Pub/Sub's service agent mints the push tokens of the push account
# (needed in projects created before April 2021; harmless after).
resource "google_service_account_iam_member" "push_tokens" {
  count = local.queued ? 1 : 0

  service_account_id = google_service_account.push[0].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

# Dead-lettering: the service agent publishes to the dead-letter topic and
# acknowledges on the writer's subscriptions what it moved there.
resource "google_pubsub_topic_iam_member" "dead_letters_agent" {
  count = local.queued ? 1 : 0

  project = var.project_id
  topic   = google_pubsub_topic.dead_letters[0].name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "destination_agent" {
  for_each = google_pubsub_subscription.destination

  project      = var.project_id
  subscription = each.value.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

# Before one subscription per destination, one subscription,
# <prefix>-writer, pushed every message. Replacing it would delete what
# waits in it, and lose what is published while no subscription exists:
# Terraform forgets it instead, and it goes on pushing (each row twice
# meanwhile, which the versioned writes make harmless) until it is
# deleted by hand, once what it held is written (docs/queued.md,
# "Upgrading"). Nothing to do on a deployment that never had it.
removed {
  from = google_pubsub_subscription.writer
  lifecycle {
    destroy = false
  }
}

removed {
  from = google_pubsub_subscription_iam_member.writer_agent
  lifecycle {
    destroy = false
  }
}

# The audience is computed before the function exists: it must be the
# function's URL.
check "writer_url" {
  assert {
    condition     = !local.queued || try(google_cloudfunctions2_function.main["writer"].url, local.writer_url) == local.writer_url
    error_message = "The writer function's URL (${try(google_cloudfunctions2_function.main["writer"].url, "")}) is not ${local.writer_url}, the audience and endpoint of the push subscription: report it, with your region."
  }
}
