package epistula_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/keys"
)

func ExampleVerifier_Verify() {
	validator, _ := keys.FromSURI("//Alice")
	miner, _ := keys.FromSURI("//Bob")
	body := []byte(`{"task":"ping"}`)
	now := time.Now()

	h := epistula.Sign(validator, body, miner.Address(), now)

	v := &epistula.Verifier{Self: miner.Address()}
	caller, err := v.Verify(h, body, now)
	fmt.Println(caller, err)

	_, err = v.Verify(h, body, now) // the same request again
	fmt.Println(epistula.ReasonOf(err))
	// Output:
	// 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY <nil>
	// replayed
}

func ExampleTransport() {
	validator, _ := keys.FromSURI("//Alice")
	miner, _ := keys.FromSURI("//Bob")
	v := &epistula.Verifier{Self: miner.Address()}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		caller, err := v.Verify(r.Header, body, time.Now())
		fmt.Fprint(w, caller, " ", err)
	}))
	defer srv.Close()

	client := &http.Client{Transport: &epistula.Transport{
		Signer:   validator,
		Receiver: func(*http.Request) string { return miner.Address() },
	}}
	resp, err := client.Post(srv.URL, "application/json", strings.NewReader(`{"task":"ping"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	fmt.Println(string(out))
	// Output: 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY <nil>
}
