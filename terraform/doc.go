// Package terraform holds no code: this directory is the Terraform module
// that deploys Safeview (see README.md). Its Go tests stand in for what
// cannot run without Terraform and its providers:
//
//   - hcl_test.go checks every .tf file: canonical formatting, documented
//     and typed variables, references that resolve, no secret material,
//     the runtime matching go.mod, and that the example calls the module
//     with what it requires;
//   - zip_test.go builds the function's zip from the same file lists as
//     Terraform, compiles it the way the Go buildpack does, starts it and
//     serves a signed webhook into the Sheets emulator (a few seconds with
//     a warm build cache; skipped with -short).
package terraform
