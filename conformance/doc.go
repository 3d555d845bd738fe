// Package conformance proves gojango's page cache against the real Django
// 5.2.19: a Django twin (djangotwin/, run with runserver) and a Go twin
// (gotwin/, the same project on gojango) get the same requests, and their
// responses and page-cache keys are compared. The runner is
// conformance_test.go; `go test ./conformance/` runs it. Django comes from
// GOJANGO_DJANGO_DIR, default conformance/.django (bash
// conformance/getdjango.sh conformance/.django).
//
// The files: client.go sends one raw HTTP/1.1 request; twins.go starts the
// twins; cases.go is the case model; cases_rules.go and cases_matrix.go are
// the cases; run.go runs them; compare.go compares two responses; leaks.go
// finds pages served to the wrong user; verdict.go judges a case; known.go
// lists the deliberate differences; report.go writes the summary.
package conformance
