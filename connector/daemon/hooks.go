package daemon

// hook marks a named point in the pipeline where crash tests kill the
// process (see failpoint_on.go, built only with -tags failpoints). In normal
// builds it does nothing and costs nothing.
var hook = func(string) {}
