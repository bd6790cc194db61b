// Package terraform holds no code: this directory is the Terraform module
// that deploys Safeview (see README.md). Its Go tests stand in for what
// cannot run without Terraform and its providers:
//
//   - hcl_test.go checks every .tf file: canonical formatting, documented
//     and typed variables, references that resolve, no secret material,
//     the runtime matching go.mod, and that the example calls the module
//     with what it requires;
//   - schema_test.go checks the arguments of the queue's and the alerts'
//     resources against the google provider's schema, as its
//     documentation gives it, and the bounds Pub/Sub sets;
//   - zip_test.go builds the function's zip from the same file lists as
//     Terraform, compiles it the way the Go buildpack does, starts it and
//     serves a signed webhook into the Sheets emulator (a few seconds with
//     a warm build cache; skipped with -short); zip_writer_test.go does
//     the same with the writer's zip and a signed push.
package terraform
