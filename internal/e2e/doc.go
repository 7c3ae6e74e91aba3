// Package e2e holds end-to-end tests that run the hopscope binary as a user would, inside lab networks.
package e2e
