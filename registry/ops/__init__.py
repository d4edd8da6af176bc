"""Operations: doctor, backups, leader election."""
