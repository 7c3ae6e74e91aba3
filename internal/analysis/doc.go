// Package analysis is hopscope's analysis stage: it turns a measured path (and an application's
// inventory) plus options into the report's sections, by enriching every address, reading hostname
// hints, inferring locations, explaining the path and checking every conclusion against the trace's RTTs.
//
// analyze, trace and investigate (and the live view) all call it; the CLI only wires it. History records
// are built here too, from the path report they summarise.
package analysis
