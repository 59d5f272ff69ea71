package daemon

import (
	"fmt"

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
	srv := folder.SFTPServer{
		Addr: rm.Addr(), User: s.User, KnownHosts: s.KnownHosts,
		Timeout: s.Timeout.Duration, ReadOnce: s.ReadOnce, NoRename: !s.CanRename(),
		UploadMarker: s.UploadMarker, NoMkdir: !s.CanMkdir(),
	}
	// Secrets are read here, when the connection is made, and kept only
	// in the connection's settings; errors name the reference, never the value.
	if s.PrivateKey.IsSet() {
		v, err := s.PrivateKey.Resolve()
		if err != nil {
			return nil, fmt.Errorf("sftp %s private_key: %w", rm.Key(), err)
		}
		srv.Key = []byte(v)
	}
	if s.Passphrase.IsSet() {
		v, err := s.Passphrase.Resolve()
		if err != nil {
			return nil, fmt.Errorf("sftp %s passphrase: %w", rm.Key(), err)
		}
		srv.Passphrase = []byte(v)
	}
	if s.Password.IsSet() {
		v, err := s.Password.Resolve()
		if err != nil {
			return nil, fmt.Errorf("sftp %s password: %w", rm.Key(), err)
		}
		srv.Password = v
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

// sftpServer is the server's settings for a remote folder (nil for local).
func sftpServer(f folder.Folder) *folder.SFTPServer {
	if s, ok := f.(*folder.SFTP); ok {
		srv := s.Conn().Server()
		return &srv
	}
	return nil
}
