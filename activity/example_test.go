package activity_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/minerkit/minerkit/activity"
	"github.com/minerkit/minerkit/devnet"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
)

// Make the proof a miner publishes in its GitHub profile README, and check
// it as anyone can, offline.
func ExampleNewProof() {
	hot, _ := keys.FromSURI("//Alice//miner")
	p, err := activity.NewProof(hot, "octocat", 74, activity.ProofOptions{
		Now:   time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC),
		Nonce: "9c1f0e7a2b3d4c5e",
	})
	if err != nil {
		log.Fatal(err)
	}
	text := p.Text()
	// sr25519 signatures are randomized: show all but the signature.
	fmt.Print(text[:strings.Index(text, "signature:")])
	_, err = activity.VerifyProof([]byte(text), hot.Public(), "octocat", activity.VerifyOptions{})
	fmt.Println("valid:", err == nil)
	// Output:
	// -----BEGIN MINERKIT IDENTITY PROOF-----
	// minerkit identity proof v1
	// I control Bittensor hotkey 5CMfubeU6u6DYitJ7vniM3yrst51JywttqiTFFe71MVAjALc and I am GitHub user octocat (subnet 74).
	// hotkey: 5CMfubeU6u6DYitJ7vniM3yrst51JywttqiTFFe71MVAjALc
	// github: octocat
	// netuid: 74
	// date: 2026-11-27T08:00:00Z
	// nonce: 9c1f0e7a2b3d4c5e
	// valid: true
}

// An altered proof is refused with the reason.
func ExampleVerifyProof() {
	hot, _ := keys.FromSURI("//Alice//miner")
	p, _ := activity.NewProof(hot, "octocat", 74, activity.ProofOptions{})
	altered := strings.Replace(p.Text(), "date: 20", "date: 19", 1)
	_, err := activity.VerifyProof([]byte(altered), hot.Public(), "octocat", activity.VerifyOptions{})
	fmt.Println(strings.SplitN(err.Error(), ";", 2)[0])
	_, err = activity.VerifyProof([]byte(p.Text()), hot.Public(), "someone-else", activity.VerifyOptions{})
	fmt.Println(err)
	// Output:
	// activity: signature does not match the proof text: the text was changed after signing, or another key signed it
	// activity: proof names another GitHub user: it names "octocat", not "someone-else"
}

// The line to put in pull request descriptions.
func ExampleTagline() {
	s, _ := activity.Tagline(activity.DefaultTagline, activity.TaglineData{Token: "$OGX", NetUID: 74, Hotkey: "5EnMvs8jYBKpYkvCB6Y4H34xwGWBRop9nrmMWCDqtr6sDz8n"})
	fmt.Println(s)
	// Output: Mining $OGX - Hotkey 5EnMvs8jYBKpYkvCB6Y4H34xwGWBRop9nrmMWCDqtr6sDz8n
}

// Register and link a GitHub account on a devnet, then run again as a cron
// job would: nothing left to do.
func ExampleEnsure() {
	ctx := context.Background()
	node, err := devnet.Start(ctx, devnet.Config{BlockTime: 20 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	defer node.Close()
	c, err := subtensor.Dial(ctx, subtensor.Network{Name: "devnet", Endpoints: []string{node.URL()}}, subtensor.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	cold, _ := keys.FromSURI("//Bob")
	hot, _ := keys.FromSURI("//Bob//miner")
	cfg := activity.EnsureConfig{
		NetUID: 1, Hotkey: hot, GitHub: "octocat",
		Coldkey:  func() (keys.Signer, error) { return cold, nil },
		Register: subtensor.RegisterOptions{MaxBurn: subtensor.TAO(2)},
	}
	for range 2 {
		rep, err := activity.Ensure(ctx, c, cfg)
		if err != nil {
			log.Fatal(err)
		}
		for _, ch := range rep.Checks {
			fmt.Printf("%s: ok=%v repaired=%v\n", ch.Name, ch.OK, ch.Repaired)
		}
	}
	// Output:
	// registration: ok=true repaired=true
	// identity commitment: ok=true repaired=true
	// registration: ok=true repaired=false
	// identity commitment: ok=true repaired=false
}

// Serve Prometheus metrics of a few hotkeys from a live metagraph.
func ExampleNewExporter() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	node, err := devnet.Start(ctx, devnet.Config{BlockTime: 20 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	defer node.Close()
	c, err := subtensor.Dial(ctx, subtensor.Network{Name: "devnet", Endpoints: []string{node.URL()}}, subtensor.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	hot, _ := keys.DecodeAddress("5EnMvs8jYBKpYkvCB6Y4H34xwGWBRop9nrmMWCDqtr6sDz8n")
	e := activity.NewExporter(c, 1, []keys.PublicKey{hot})
	go e.Run(ctx)
	if _, err := e.Syncer.Wait(ctx); err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler()) // or http.ListenAndServe(":9477", e.Handler())
	defer srv.Close()
	figs, _ := e.Figures()
	fmt.Println(figs[0].Hotkey, "registered:", figs[0].Registered)
	// Output: 5EnMvs8jYBKpYkvCB6Y4H34xwGWBRop9nrmMWCDqtr6sDz8n registered: false
}
