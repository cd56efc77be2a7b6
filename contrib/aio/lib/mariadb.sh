# shellcheck shell=bash
# MariaDB, from Debian: the database server of every OpenStack service of
# the all-in-one. Each service creates its own databases (database_create in
# its init_*) and drops them when purged (database_drop in its cleanup_*).
# MariaDB is the machine's service: `down` leaves it running.
# Needs: common.sh and config.sh sourced, $AIO_SECRETS loaded.

install_mariadb() {
    need_apt mariadb-server
    need_pip 'SQLAlchemy<2.1' PyMySQL
}

# start_mariadb: running, tuned for one small machine's throw-away cloud.
start_mariadb() {
    local tuning=/etc/mysql/mariadb.conf.d/99-higgins-aio.cnf
    if [ "$(cat "$tuning" 2>/dev/null)" != "$(mariadb_tuning)" ]; then
        mariadb_tuning >"$tuning"
        if mysqladmin ping >/dev/null 2>&1; then
            run "$AIO_LOG/databases.log" service mariadb restart
        fi
    fi
    mysqladmin ping >/dev/null 2>&1 || run "$AIO_LOG/databases.log" service mariadb start
    wait_for "MariaDB" 30 mysqladmin ping
}

# mariadb_tuning: the all-in-one's settings. Every table of the cloud is
# InnoDB, and a small buffer pool holds them all; the MyISAM and Aria caches
# (128 MiB each by default, Aria's used only for internal temporary tables)
# shrink to 8 MiB. InnoDB writes its log at each commit but flushes it to
# disk once a second: a crash of the machine may lose the last second of
# this throw-away cloud's changes, and each commit saves an fsync.
mariadb_tuning() {
    cat <<'EOT'
[mysqld]
innodb_buffer_pool_size = 32M
innodb_log_buffer_size = 4M
innodb_flush_log_at_trx_commit = 2
key_buffer_size = 8M
aria_pagecache_buffer_size = 8M
max_connections = 500
EOT
}

# db_url USER DATABASE: the SQLAlchemy URL of a service's database.
db_url() {
    echo "mysql+pymysql://$1:$DB_PASSWORD@$AIO_HOST/$2?charset=utf8"
}

# database_create DATABASE USER: the database, and USER with every right on
# it and the password of $AIO_SECRETS, from localhost and from $AIO_HOST.
database_create() {
    local db=$1 user=$2 from
    local sql="CREATE DATABASE IF NOT EXISTS $db;"
    for from in localhost "$AIO_HOST"; do
        sql+="
            CREATE USER IF NOT EXISTS '$user'@'$from';
            ALTER USER '$user'@'$from' IDENTIFIED BY '$DB_PASSWORD';
            GRANT ALL PRIVILEGES ON $db.* TO '$user'@'$from';"
    done
    run "$AIO_LOG/databases.log" mysql -e "$sql"
}

# database_drop DATABASE...: gone. A stopped MariaDB is started for it:
# databases left behind would hand the next `up` a Keystone whose users
# have the passwords of the secrets purge deletes.
database_drop() {
    local db
    command -v mysqladmin >/dev/null 2>&1 || return 0  # never installed
    mysqladmin ping >/dev/null 2>&1 || service mariadb start >/dev/null 2>&1 ||
        return 0
    for db in "$@"; do
        mysql -e "DROP DATABASE IF EXISTS $db"
    done
}
