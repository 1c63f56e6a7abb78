//! The `sijil` binary: parse the command line, open the store, act.

use std::io::{BufRead, IsTerminal};

use clap::Parser;
use sijil::cli::{Cli, Command, UserCommand};
use sijil::store::Db;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    sijil::telemetry::init(cli.log_format);
    if let Command::Restore(args) = &cli.command {
        // Before anything opens (and so creates) the database being replaced.
        let epoch =
            sijil::store::backup::restore(cli.database_url.as_str(), &args.file, args.force)
                .await?;
        println!("restored {}; the database's new epoch is {epoch}: phones will offer again what they sent since the backup", args.file.display());
        return Ok(());
    }
    let db = Db::connect(cli.database_url.as_str()).await?;
    db.migrate().await?;
    match cli.command {
        Command::Restore(_) => unreachable!("restored above"),
        Command::Backup(args) => {
            sijil::store::backup::backup(&db, &args.out).await?;
            println!("wrote {} and checked it", args.out.display());
        }
        Command::MarkRestored => {
            let epoch = sijil::store::backup::mark_restored(&db).await?;
            println!("the database's new epoch is {epoch}: phones will offer again what they sent since the backup");
        }
        Command::Migrate => println!("migrations applied"),
        Command::Serve(args) => {
            let config = args.config();
            if let Some(password) = sijil::users::bootstrap::first_admin(&db).await? {
                println!("First start: created account `admin` with password {password}");
                println!("Write it down now; it is not shown again.");
            }
            let listener = tokio::net::TcpListener::bind(config.addr).await?;
            println!("listening on http://{}", listener.local_addr()?);
            let state = sijil::state::AppState::new(db.clone(), config);
            sijil::serve(listener, state, shutdown_signal()).await?;
            db.close().await;
        }
        Command::Demo => {
            for account in sijil::demo::run(&db).await? {
                println!(
                    "{:<24} {:<12} password {:<24} sites {}",
                    account.login,
                    account.role.as_str(),
                    account.password,
                    account.sites
                );
            }
            println!(
                "Write the passwords down now; they are not shown again. Then run `sijil serve`."
            );
        }
        Command::User(UserCommand::Create(args)) => {
            let password = read_password()?;
            let user = sijil::users::bootstrap::create_from_cli(&db, &args, &password).await?;
            println!(
                "created user {} ({}) with id {}",
                user.login,
                user.role.as_str(),
                user.id
            );
        }
    }
    Ok(())
}

/// Reads one line from standard input: the password, kept out of the
/// process list and shell history.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password: ");
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
