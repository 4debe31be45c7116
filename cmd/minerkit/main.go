// Command minerkit builds, runs and tests Bittensor subnet miners.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	if err := root.ExecuteContext(ctx); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(os.Stderr, ee.msg)
			}
			os.Exit(ee.code)
		}
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			// Ctrl-C or SIGTERM cut a command short: say so, not
			// "context canceled", and exit as shells expect (128 + SIGINT).
			fmt.Fprintln(os.Stderr, "minerkit: interrupted")
			os.Exit(130)
		}
		fmt.Fprintln(os.Stderr, "minerkit:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a specific status code after printing msg
// (if any) to standard error.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }
