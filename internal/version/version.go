// Package version holds the build's version string and the embedded data's build dates.
package version

// Version is set at link time with -ldflags "-X hopscope/internal/version.Version=..."; "dev" otherwise.
var Version = "dev"
