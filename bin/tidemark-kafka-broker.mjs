#!/usr/bin/env node
// The `tidemark-kafka-broker` command: the test broker of tidemark/kafka/testing for other
// processes. `npx tidemark-kafka-broker --help` lists the options. The package refers to
// itself by name (package.json "exports"), so this runs the built dist/ when installed.
import { runTestBrokerCli } from 'tidemark/kafka/testing';

process.exitCode = await runTestBrokerCli(process.argv.slice(2));
