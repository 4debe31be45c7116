package redisstore_test

import (
	"net/http"

	"github.com/redis/go-redis/v9"

	"github.com/minerkit/minerkit/guard"
	"github.com/minerkit/minerkit/guard/redisstore"
)

// Every replica of a miner builds its guard like this: replays and each
// validator's rate limit are then checked for all replicas at once, in one
// Redis round trip per request.
func ExampleNew() {
	rc := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", MaxRetries: -1})
	store := redisstore.New(rc, "minerkit:my-hotkey:1:") // one prefix per miner, shared by its replicas
	store.Pipeline = true

	g := guard.New("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty") // the miner's hotkey
	g.RateLimit = &guard.RateLimit{Rate: 10, Burst: 20}
	g.Shared = &guard.Shared{Store: store} // fail closed: 503 while Redis is down
	g.TrustedProxies, _ = guard.ParseTrustedProxies([]string{"10.0.0.0/8"})
	mux := http.NewServeMux()
	mux.Handle("POST /infer", g.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	_ = mux // serve it with http.Server{Handler: mux}
}
