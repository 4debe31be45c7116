package main

import (
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/wallet"
)

// walletFlags are btcli's wallet selection flags. Every command that needs a
// key registers them with addWalletFlags and loads keys with loadHotkey or
// loadColdkey, so that all commands find wallets the same way.
type walletFlags struct {
	path, name, hotkey string
	passwordFile       string
}

// addWalletFlags registers --wallet.name, --wallet.hotkey, --wallet.path and
// --password-file on cmd. Values left unset come from BT_WALLET_NAME,
// BT_WALLET_HOTKEY and BT_WALLET_PATH, then btcli's defaults. btcli's other
// spellings (--wallet-name, --wallet_name, ...) are accepted too.
func addWalletFlags(cmd *cobra.Command) *walletFlags {
	f := &walletFlags{}
	fs := cmd.Flags()
	fs.StringVar(&f.name, "wallet.name", "", `wallet (coldkey) name (default $BT_WALLET_NAME or "default")`)
	fs.StringVar(&f.hotkey, "wallet.hotkey", "", `hotkey name (default $BT_WALLET_HOTKEY or "default")`)
	fs.StringVar(&f.path, "wallet.path", "", `wallets directory (default $BT_WALLET_PATH or "~/.bittensor/wallets")`)
	fs.StringVar(&f.passwordFile, "password-file", "", "read the key password from the first line of this file\n(otherwise: the BT_PW_… variable of the keyfile, then a prompt)")
	prev := fs.GetNormalizeFunc()
	fs.SetNormalizeFunc(func(fs *pflag.FlagSet, name string) pflag.NormalizedName {
		switch strings.NewReplacer("_", ".", "-", ".").Replace(name) {
		case "wallet.name":
			return "wallet.name"
		case "wallet.hotkey":
			return "wallet.hotkey"
		case "wallet.path":
			return "wallet.path"
		}
		return prev(fs, name)
	})
	return f
}

// wallet returns the wallet the flags name (BT_WALLET_* fill the gaps).
func (f *walletFlags) wallet() (*wallet.Wallet, error) {
	return wallet.NewFromEnv(f.path, f.name, f.hotkey, os.Getenv)
}

// passwords returns where passwords come from: --password-file when given,
// else the keyfile's BT_PW_ environment variable, then the terminal.
func (f *walletFlags) passwords() wallet.PasswordSource {
	if f.passwordFile != "" {
		return wallet.PasswordFile(f.passwordFile)
	}
	return wallet.DefaultPasswords()
}

// loadHotkey loads the hotkey the flags name (usually plaintext; a password
// is asked for only if it is encrypted).
func loadHotkey(f *walletFlags) (*keys.Keypair, error) {
	w, err := f.wallet()
	if err != nil {
		return nil, err
	}
	return w.HotkeyPair(f.passwords())
}

// loadColdkey loads and decrypts the coldkey the flags name.
func loadColdkey(f *walletFlags) (*keys.Keypair, error) {
	w, err := f.wallet()
	if err != nil {
		return nil, err
	}
	return w.Coldkey(f.passwords())
}

// hotkeyPub returns the public key of the hotkey the flags name, without
// any password.
func hotkeyPub(f *walletFlags) (keys.PublicKey, error) {
	w, err := f.wallet()
	if err != nil {
		return keys.PublicKey{}, err
	}
	return w.HotkeyPub()
}

// coldkeyPub returns the public key of the coldkey the flags name (from
// coldkeypub.txt), without any password.
func coldkeyPub(f *walletFlags) (keys.PublicKey, error) {
	w, err := f.wallet()
	if err != nil {
		return keys.PublicKey{}, err
	}
	return w.ColdkeyPub()
}
