'use strict';
/*
 * The AWS SDK for JavaScript v2 (`aws-sdk@2`) against Tidal: AWS.DynamoDB creates the table,
 * AWS.DynamoDB.DocumentClient writes and reads it (createSet, Buffers, nested documents), and
 * AWS.DynamoDBStreams polls its stream the way the serverless-offline-dynamodb-streams plugin
 * does: DescribeTable for LatestStreamArn, DescribeStream for the shards, one LATEST or
 * TRIM_HORIZON iterator per shard, then GetRecords with Limit = batchSize, following
 * NextShardIterator.
 *
 * Environment: TIDAL_ENDPOINT, TIDAL_TABLE, AWS_REGION. Prints a Report (report.js).
 */
const AWS = require('aws-sdk');
const { Report, failureOf, plain } = require('./report');

const { TIDAL_ENDPOINT: endpoint, TIDAL_TABLE: table, AWS_REGION: region } = process.env;
const config = { endpoint, region, accessKeyId: 'root', secretAccessKey: 'root' };
const dynamodb = new AWS.DynamoDB(config);
const documents = new AWS.DynamoDB.DocumentClient({ service: dynamodb });
const streams = new AWS.DynamoDBStreams(config);
const report = new Report();
const BATCH_SIZE = 1;
const POLL_DEADLINE_MS = 10000;

/** Sends an AWS.Request, noting the SDK's retries and whether the x-amz-crc32 it got holds. */
function send(request) {
  request.on('complete', (response) => {
    const { headers, body, statusCode } = response.httpResponse;
    const crc = headers['x-amz-crc32'];
    report.calls.push({
      service: request.service.serviceIdentifier,
      operation: request.operation,
      status: statusCode,
      retryCount: response.retryCount,
      crc32: crc === undefined ? null : Number(crc) === AWS.util.crypto.crc32(body),
    });
  });
  return request.promise();
}

/** The plugin's reader for one shard: a shard iterator, then GetRecords pages. */
async function openReader(streamArn, shardId, iteratorType) {
  const { ShardIterator } = await send(
    streams.getShardIterator({ ShardId: shardId, StreamArn: streamArn, ShardIteratorType: iteratorType }),
  );
  return { shardId, iterator: ShardIterator, records: [], pages: 0 };
}

async function openReaders(streamArn, iteratorType) {
  const { StreamDescription } = await send(streams.describeStream({ StreamArn: streamArn }));
  return Promise.all(
    StreamDescription.Shards.map((shard) => openReader(streamArn, shard.ShardId, iteratorType)),
  );
}

/**
 * Polls every reader until `count` records have arrived in all or `patienceMs` has passed
 * (every reader gets at least one poll), as the plugin's loop does without its pauses.
 */
async function poll(readers, count, limit, patienceMs = POLL_DEADLINE_MS) {
  const deadline = Date.now() + patienceMs;
  let rounds = 0;
  const total = () => readers.reduce((sum, reader) => sum + reader.records.length, 0);
  while (rounds === 0 || (total() < count && Date.now() < deadline)) {
    rounds += 1;
    for (const reader of readers.filter((open) => open.iterator)) {
      const page = await send(streams.getRecords({ ShardIterator: reader.iterator, Limit: limit }));
      reader.iterator = page.NextShardIterator;
      reader.records.push(...page.Records);
      reader.pages += 1;
    }
  }
  return readers.map((reader) => ({
    shardId: reader.shardId,
    pages: reader.pages,
    records: reader.records.map((record) => ({
      ...record,
      dynamodb: {
        ...record.dynamodb,
        ApproximateCreationDateTime: record.dynamodb.ApproximateCreationDateTime.toISOString(),
        NewImage: record.dynamodb.NewImage && plain(AWS.DynamoDB.Converter.unmarshall(record.dynamodb.NewImage)),
        OldImage: record.dynamodb.OldImage && plain(AWS.DynamoDB.Converter.unmarshall(record.dynamodb.OldImage)),
      },
    })),
  }));
}

async function main() {
  let streamArn;
  let latestReaders;
  let trimHorizonReaders;
  await report.step('createTable', async () => {
    const { TableDescription } = await send(
      dynamodb.createTable({
        TableName: table,
        AttributeDefinitions: [
          { AttributeName: 'id', AttributeType: 'S' },
          { AttributeName: 'status', AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
        GlobalSecondaryIndexes: [
          {
            IndexName: 'statusGSIndex',
            KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
            ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
          },
        ],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    const waited = await send(dynamodb.waitFor('tableExists', { TableName: table }));
    return { created: TableDescription.TableStatus, waited: waited.Table.TableStatus };
  });
  await report.step('pluginStart', async () => {
    const { Table } = await send(dynamodb.describeTable({ TableName: table }));
    streamArn = Table.LatestStreamArn;
    latestReaders = await openReaders(streamArn, 'LATEST');
    trimHorizonReaders = await openReaders(streamArn, 'TRIM_HORIZON');
    const idle = await poll([...latestReaders, ...trimHorizonReaders], 1, BATCH_SIZE, 0);
    return {
      streamArn,
      shards: latestReaders.map((reader) => reader.shardId),
      idle: idle.map((reader) => ({ records: reader.records.length, pages: reader.pages })),
      stillOpen: [...latestReaders, ...trimHorizonReaders].map((reader) => Boolean(reader.iterator)),
    };
  });
  await report.step('put', async () => {
    const put = await send(
      documents.put({
        TableName: table,
        Item: {
          id: 'order-1',
          status: 'open',
          name: 'Phở bò 🍜',
          price: 19.9,
          quantity: 3,
          tags: documents.createSet(['gift', 'fragile']),
          sizes: documents.createSet([38, 40.5]),
          thumbnails: documents.createSet([Buffer.from([0]), Buffer.from([1, 2])]),
          photo: Buffer.from([0x89, 0x50, 0x00, 0xff]),
          address: { city: 'Hà Nội', lines: ['12 Phố Huế', null, true, 0] },
          note: '',
          coupon: null,
        },
      }),
    );
    return plain(put);
  });
  await report.step('get', async () => {
    const { Item } = await send(
      documents.get({ TableName: table, Key: { id: 'order-1' }, ConsistentRead: true }),
    );
    return plain(Item);
  });
  await report.step('update', async () => {
    const { Attributes } = await send(
      documents.update({
        TableName: table,
        Key: { id: 'order-1' },
        UpdateExpression: 'SET price = price + :cents ADD tags :more DELETE sizes :small REMOVE coupon',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':cents': 0.01,
          ':more': documents.createSet(['express']),
          ':small': documents.createSet([38]),
          ':open': 'open',
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return plain(Attributes);
  });
  await report.step('conditionFailed', () =>
    failureOf(() =>
      send(
        documents.put({
          TableName: table,
          Item: { id: 'order-1', status: 'shipped' },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      ),
    ),
  );
  await report.step('missingTable', () =>
    failureOf(() => send(documents.get({ TableName: 'no-such-table', Key: { id: 'x' } }))),
  );
  await report.step('query', async () => {
    for (let n = 2; n <= 6; n += 1) {
      await send(
        documents.put({ TableName: table, Item: { id: `order-${n}`, status: n % 2 ? 'open' : 'done', n } }),
      );
    }
    const pages = [];
    let start;
    do {
      const page = await send(
        documents.query({
          TableName: table,
          IndexName: 'statusGSIndex',
          KeyConditionExpression: '#status = :open',
          FilterExpression: 'attribute_exists(n) OR attribute_exists(tags)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':open': 'open' },
          Limit: 2,
          ExclusiveStartKey: start,
        }),
      );
      pages.push(plain(page));
      start = page.LastEvaluatedKey;
    } while (start);
    return pages;
  });
  await report.step('transactionCanceled', async () => {
    const failure = await failureOf(() =>
      send(
        documents.transactWrite({
          TransactItems: [
            { Put: { TableName: table, Item: { id: 'order-7', status: 'open' } } },
            {
              ConditionCheck: {
                TableName: table,
                Key: { id: 'order-3' },
                ConditionExpression: 'n > :limit',
                ExpressionAttributeValues: { ':limit': 3 },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        }),
      ),
    );
    const { Item } = await send(documents.get({ TableName: table, Key: { id: 'order-7' } }));
    return { ...failure, written: Item === undefined ? null : plain(Item) };
  });
  await report.step('batchGetAndCount', async () => {
    const { Responses, UnprocessedKeys } = await send(
      documents.batchGet({
        RequestItems: { [table]: { Keys: [{ id: 'order-4' }, { id: 'order-404' }, { id: 'order-6' }] } },
      }),
    );
    const counted = await send(
      documents.scan({ TableName: table, Select: 'COUNT', FilterExpression: 'n >= :four', ExpressionAttributeValues: { ':four': 4 } }),
    );
    return {
      items: plain(Responses[table]).sort((a, b) => (a.id < b.id ? -1 : 1)),
      unprocessed: UnprocessedKeys,
      counted: plain(counted),
    };
  });
  await report.step('delete', async () => {
    const { Attributes } = await send(
      documents.delete({ TableName: table, Key: { id: 'order-2' }, ReturnValues: 'ALL_OLD' }),
    );
    return plain(Attributes);
  });
  await report.step('pluginLatest', () => poll(latestReaders, 8, BATCH_SIZE));
  await report.step('pluginTrimHorizon', () => poll(trimHorizonReaders, 8, BATCH_SIZE));
  await report.step('lateTrimHorizon', async () => poll(await openReaders(streamArn, 'TRIM_HORIZON'), 8));
  await report.step('missingStream', () =>
    failureOf(() =>
      send(
        streams.describeStream({
          StreamArn: `arn:aws:dynamodb:${region}:000000000000:table/${table}/stream/2020-03-15T07:59:46.532`,
        }),
      ),
    ),
  );
}

main().finally(() => report.print());
