locals {
  # The repository root, where go.mod is: the source of every function.
  source_root = abspath("${path.module}/..")

  # What goes into the zip of a function, besides the function's own
  # package (its non-test .go files, at the root of the zip) and the
  # configuration (as safeview.yaml). The Go buildpack needs the package at
  # the root, with go.mod beside it (docs/architecture.md, "Deployment"). Patterns are
  # fileset() patterns from the repository root; a file whose path matches
  # one of source_excludes (RE2 regular expressions) is left out: tests,
  # test data, test helper packages (gsheetstest, secretmanagertest) and
  # hidden files. zip_test.go builds the zip from these same two lists and
  # compiles it as the buildpack does: keep them literal.
  source_common   = ["go.mod", "go.sum", "shared/**"]
  source_excludes = ["_test\\.go$", "(^|/)testdata/", "(^|/)[a-z0-9]+test/", "(^|/)[._]"]

  # The functions, by short name. Each gets its own service account and
  # zip; reads_secrets grants it every configured secret; only a public one
  # may be invoked by anyone (the webhook signature is its authentication).
  functions = {
    webhook = {
      dir           = "functions/webhook"
      entry_point   = "Webhook"
      description   = "Safeview: turns signed e-commerce webhooks into PII-safe rows of a Google Sheet."
      public        = true
      reads_secrets = true
    }
  }

  # The files of each zip: path in the zip => path in the repository.
  function_files = {
    for name, f in local.functions : name => {
      for zip_path, repo_path in merge(
        { for p in fileset("${local.source_root}/${f.dir}", "*.go") : p => "${f.dir}/${p}" },
        merge([for pattern in local.source_common : { for p in fileset(local.source_root, pattern) : p => p }]...),
      ) : zip_path => repo_path
      if alltrue([for re in local.source_excludes : !can(regex(re, repo_path))])
    }
  }

  config_file = coalesce(var.config_file, "${local.source_root}/functions/webhook/safeview.yaml")
  config_yaml = file(local.config_file)
  config      = yamldecode(local.config_yaml)

  # The secrets are those the configuration names: the signing secrets of
  # every source, the tokens paired with them, the read-only API
  # credentials of the sources that read line items, and the pseudonym key.
  # Reading them from the file (rather than repeating them in a variable)
  # keeps one list: hcl_test.go checks that it is config.SecretNames(), the
  # list the function reads. var.sources, when set, is checked against it.
  config_sources = {
    for name, source in try(local.config.sources, {}) : name => [
      for s in concat(try(source.secrets, []), try(source.token.secrets, []), try([source.items.secret], [])) : tostring(s)
    ]
  }
  pseudonym_key = try(tostring(local.config.privacy.pseudonym_key), "")
  secret_names  = sort(distinct(concat(flatten(values(local.config_sources)), compact([local.pseudonym_key]))))

  # The URL each Square source says Square signs (checked in functions.tf).
  square_notification_urls = {
    for name, source in try(local.config.sources, {}) : name => try(tostring(source.notification_url), "")
    if try(source.platform, "") == "square"
  }

  # What each platform posts to: {function URL}/{source}.
  webhook_urls = { for name in keys(local.config_sources) : name => "${google_cloudfunctions2_function.main["webhook"].url}/${name}" }

  build_service_account_email = coalesce(var.build_service_account, try(google_service_account.build[0].email, null))

  labels = merge({ app = "safeview" }, var.labels)
}
