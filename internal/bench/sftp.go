package bench

import "context"

// sftpSection measures SFTP pickup (a complete file on an SFTP server to its
// submission) with the ratio to OpenSSH sftp fetching the same files in the
// same run.
//
// filled in by the SFTP work (connector/folder's SFTP folder is being written;
// its type and API are not final). Until then it measures nothing.
func sftpSection(ctx context.Context, b *bench) ([]Result, error) {
	return nil, nil
}
