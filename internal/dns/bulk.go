package dns

import (
	"context"
	"sync"
)

// DefaultBulkConcurrency bounds parallel resolutions in ResolveAll when concurrency is 0.
const DefaultBulkConcurrency = 64

// ResolveAll resolves every name with at most concurrency resolutions in flight (0 means
// DefaultBulkConcurrency) and calls emit once per name, in input order, as soon as that name and all
// before it are done. emit runs on one goroutine at a time. It stops early when ctx ends; names not
// started are reported with ctx's error.
func (r *Resolver) ResolveAll(ctx context.Context, names []string, types []uint16, concurrency int, emit func(i int, res *Result, err error)) {
	if concurrency <= 0 {
		concurrency = DefaultBulkConcurrency
	}
	type outcome struct {
		res *Result
		err error
	}
	results := make([]chan outcome, len(names))
	for i := range results {
		results[i] = make(chan outcome, 1)
	}
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i, n := range names {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				for j := i; j < len(names); j++ {
					results[j] <- outcome{err: ctx.Err()}
				}
				return
			}
			wg.Go(func() {
				defer func() { <-sem }()
				res, err := r.Resolve(ctx, n, types...)
				results[i] <- outcome{res, err}
			})
		}
	})
	for i := range names {
		o := <-results[i]
		emit(i, o.res, o.err)
	}
	wg.Wait()
}
