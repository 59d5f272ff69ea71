package daemon

import (
	"errors"
	"fmt"
	"net"
	"strconv"

	"erpconnector/connector/config"
	"erpconnector/connector/folder"
)

// openFolder is a local folder or a folder on an SFTP server. Every folder
// on one server shares one connection (servers punish connection churn),
// and a local folder is created when create is set.
func (d *Daemon) openFolder(loc string, create bool) (folder.Folder, error) {
	if !config.IsRemote(loc) {
		if create {
			return folder.NewLocal(loc)
		}
		return &folder.Local{Dir: loc}, nil
	}
	rm, err := config.ParseRemote(loc)
	if err != nil {
		return nil, err
	}
	c, err := d.sftpConn(rm)
	if err != nil {
		return nil, err
	}
	return c.Folder(rm.Path), nil
}

func (d *Daemon) sftpConn(rm config.Remote) (*folder.SFTPConn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c := d.sftp[rm.Key()]; c != nil {
		return c, nil
	}
	s := d.cfg.SFTPFor(rm)
	if s == nil {
		return nil, fmt.Errorf("no [[sftp]] block for %s", rm.Key())
	}
	srv, err := sftpSettings(s)
	if err != nil {
		return nil, err
	}
	c, err := folder.NewSFTPConn(srv)
	if err != nil {
		return nil, err
	}
	if d.sftp == nil {
		d.sftp = map[string]*folder.SFTPConn{}
	}
	d.sftp[rm.Key()] = c
	return c, nil
}

// sftpSettings turns an [[sftp]] block into connection settings. Secrets are
// read here, when the connection is made, and kept only in the connection's
// settings; errors name the reference, never the value.
func sftpSettings(s *config.SFTP) (folder.SFTPServer, error) {
	srv := folder.SFTPServer{
		Addr: net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), User: s.User, KnownHosts: s.KnownHosts,
		Timeout: s.Timeout.Duration, ReadOnce: s.ReadOnce, NoRename: !s.CanRename(),
		UploadMarker: s.UploadMarker, NoMkdir: !s.CanMkdir(),
	}
	for _, sec := range []struct {
		name string
		s    config.Secret
		set  func(string)
	}{
		{"private_key", s.PrivateKey, func(v string) { srv.Key = []byte(v) }},
		{"passphrase", s.Passphrase, func(v string) { srv.Passphrase = []byte(v) }},
		{"password", s.Password, func(v string) { srv.Password = v }},
	} {
		if !sec.s.IsSet() {
			continue
		}
		v, err := sec.s.Resolve()
		if err != nil {
			return srv, fmt.Errorf("sftp %s %s: %w", s.Key(), sec.name, err)
		}
		sec.set(v)
	}
	return srv, nil
}

// CheckSFTP tries every [[sftp]] block's settings without connecting: the
// known_hosts file has a key for the server, the private key parses with
// its passphrase. check-config reports what it finds at the block's line.
func CheckSFTP(cfg *config.Config) config.Errors {
	var errs config.Errors
	for i := range cfg.SFTP {
		s := &cfg.SFTP[i]
		k := fmt.Sprintf("sftp[%d]", i)
		srv, err := sftpSettings(s)
		if err != nil {
			continue // CheckSecrets reports unreadable secrets
		}
		if _, err := folder.NewSFTPConn(srv); err != nil {
			key := k + ".host"
			if se, ok := errors.AsType[*folder.SettingError](err); ok {
				key = k + "." + se.Setting
			}
			errs = append(errs, cfg.ProblemAt(key, err))
		}
	}
	return errs
}

// sftpServer is the server's settings for a remote folder (nil for local).
func sftpServer(f folder.Folder) *folder.SFTPServer {
	if s, ok := f.(*folder.SFTP); ok {
		srv := s.Conn().Server()
		return &srv
	}
	return nil
}
