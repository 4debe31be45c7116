// Package wallet reads and writes Bittensor wallets exactly as btcli and the
// bittensor-wallet library lay them out on disk:
//
//	<path>/<name>/coldkey              the coldkey, usually $NACL-encrypted
//	<path>/<name>/coldkeypub.txt       the coldkey's public part, plaintext
//	<path>/<name>/hotkeys/<hotkey>     a hotkey, plaintext by default
//	<path>/<name>/hotkeys/<hotkey>pub.txt
//	<path>/<name>/hotkeypub.txt        where 2025 releases briefly put it (read only)
//
// Keyfiles are JSON (accountId, publicKey, privateKey, secretPhrase,
// secretSeed, ss58Address), optionally encrypted as "$NACL" || nonce ||
// secretbox with an Argon2i key. The oldest raw forms (a bare hex seed or a
// bare mnemonic) are read too; the legacy Ansible Vault and Fernet encryptions
// are recognised and refused with a clear message.
//
// The package never talks to the network and never writes a key over an
// existing one unless told to. Files are written with mode 0600 and
// directories with 0700.
package wallet
