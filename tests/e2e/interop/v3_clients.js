'use strict';
/*
 * The AWS SDK for JavaScript v3 against Tidal: @aws-sdk/client-dynamodb creates the table and
 * waits for it, @aws-sdk/lib-dynamodb's DynamoDBDocumentClient (with marshalling options)
 * writes, reads and pages through it with paginateQuery/paginateScan, and
 * @aws-sdk/client-dynamodb-streams reads its stream (DescribeStream, GetShardIterator,
 * GetRecords) while @aws-sdk/util-dynamodb unmarshalls the images.
 *
 * Environment: TIDAL_ENDPOINT, TIDAL_TABLE, AWS_REGION. Prints a Report (report.js).
 */
const {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  DeleteTableCommand,
  TransactionCanceledException,
  paginateScan,
  waitUntilTableExists,
  waitUntilTableNotExists,
} = require('@aws-sdk/client-dynamodb');
const {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  ExecuteStatementCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  paginateQuery,
} = require('@aws-sdk/lib-dynamodb');
const {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} = require('@aws-sdk/client-dynamodb-streams');
const { unmarshall } = require('@aws-sdk/util-dynamodb');
const { Report, failureOf, plain } = require('./report');

const { TIDAL_ENDPOINT: endpoint, TIDAL_TABLE: table, AWS_REGION: region } = process.env;
const settings = { endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const report = new Report();
const dynamodb = observed(new DynamoDBClient(settings));
const documents = DynamoDBDocumentClient.from(dynamodb, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  unmarshallOptions: { wrapNumbers: true },
});
const streams = observed(new DynamoDBStreamsClient(settings));
const POLL_DEADLINE_MS = 10000;

/** Notes each call's attempts (1 unless the SDK retried) and whether x-amz-crc32 was sent. */
function observed(client) {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const call = { client: context.clientName, operation: context.commandName };
      report.calls.push(call);
      try {
        const result = await next(args);
        call.status = result.response.statusCode;
        call.attempts = result.output.$metadata.attempts;
        call.crc32 = result.response.headers['x-amz-crc32'] !== undefined;
        return result;
      } catch (error) {
        call.status = error.$metadata.httpStatusCode;
        call.attempts = error.$metadata.attempts;
        call.crc32 = error.$response.headers['x-amz-crc32'] !== undefined;
        throw error;
      }
    },
    { step: 'initialize', name: 'interopObserver' },
  );
  return client;
}

class Receipt {
  constructor(number) {
    this.number = number;
    this.issued = 'today';
  }
}

async function openReaders(streamArn, iteratorType) {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  return Promise.all(
    StreamDescription.Shards.map(async ({ ShardId }) => {
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId, ShardIteratorType: iteratorType }),
      );
      return { shardId: ShardId, iterator: ShardIterator, records: [] };
    }),
  );
}

/** The error `send` rejects with, described, and whether it is an instance of `modeled`. */
async function modeledFailure(send, modeled) {
  let caught;
  const failure = await failureOf(() =>
    send().catch((error) => {
      caught = error;
      throw error;
    }),
  );
  return { ...failure, isModeledClass: caught instanceof modeled };
}

/** GetRecords on every reader until `count` records have arrived or the deadline passes. */
async function readRecords(readers, count) {
  const deadline = Date.now() + POLL_DEADLINE_MS;
  const total = () => readers.reduce((sum, reader) => sum + reader.records.length, 0);
  while (total() < count && Date.now() < deadline) {
    for (const reader of readers.filter((open) => open.iterator)) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: reader.iterator, Limit: 10 }));
      reader.iterator = page.NextShardIterator;
      reader.records.push(...page.Records);
    }
  }
  return readers
    .flatMap((reader) => reader.records)
    .map(({ eventName, dynamodb: change }) => ({
      eventName,
      keys: unmarshall(change.Keys),
      newImage: change.NewImage && plain(unmarshall(change.NewImage, { wrapNumbers: true })),
      oldImage: change.OldImage && plain(unmarshall(change.OldImage, { wrapNumbers: true })),
      sequenceNumber: change.SequenceNumber,
      created: change.ApproximateCreationDateTime.toISOString(),
    }));
}

async function main() {
  let readers;
  await report.step('createTable', async () => {
    const { TableDescription } = await dynamodb.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'N' },
          { AttributeName: 'status', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'status-index',
            KeySchema: [
              { AttributeName: 'status', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    const waited = await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: table });
    readers = await openReaders(TableDescription.LatestStreamArn, 'LATEST');
    return { created: TableDescription.TableStatus, waited: waited.state, shards: readers.length };
  });
  await report.step('put', async () => {
    const put = await documents.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: 'customer#1',
          sk: 1,
          status: 'open',
          name: 'Phở bò 🍜',
          price: 19.9,
          tags: new Set(['gift', 'fragile']),
          sizes: new Set([38, 40.5]),
          photo: new Uint8Array([0x89, 0x50, 0x00, 0xff]),
          address: { city: 'Hà Nội', lines: ['12 Phố Huế', null, true, 0] },
          receipt: new Receipt(7),
          dropped: undefined,
          note: '',
          coupon: null,
        },
      }),
    );
    return { attempts: put.$metadata.attempts, httpStatusCode: put.$metadata.httpStatusCode };
  });
  await report.step('get', async () => {
    const { Item } = await documents.send(
      new GetCommand({ TableName: table, Key: { pk: 'customer#1', sk: 1 }, ConsistentRead: true }),
    );
    return plain(Item);
  });
  await report.step('update', async () => {
    const { Attributes } = await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: 'customer#1', sk: 1 },
        UpdateExpression: 'SET price = price + :cents, big = :big ADD tags :more DELETE sizes :small',
        ExpressionAttributeValues: {
          ':cents': 0.01,
          ':big': BigInt('123456789012345678901234567890'),
          ':more': new Set(['express']),
          ':small': new Set([38]),
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return plain(Attributes);
  });
  await report.step('conditionFailed', () =>
    modeledFailure(
      () =>
        documents.send(
          new PutCommand({
            TableName: table,
            Item: { pk: 'customer#1', sk: 1, status: 'shipped' },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      ConditionalCheckFailedException,
    ),
  );
  await report.step('missingTable', () =>
    modeledFailure(
      () => documents.send(new GetCommand({ TableName: 'no-such-table', Key: { pk: 'a', sk: 1 } })),
      ResourceNotFoundException,
    ),
  );
  await report.step('emptyKey', () =>
    failureOf(() => documents.send(new PutCommand({ TableName: table, Item: { pk: '', sk: 1 } }))),
  );
  await report.step('batchWrite', async () => {
    const puts = Array.from({ length: 30 }, (_, n) => ({
      PutRequest: { Item: { pk: 'customer#2', sk: n, status: n % 2 ? 'open' : 'done', total: n / 4 } },
    }));
    const unprocessed = [];
    for (const chunk of [puts.slice(0, 25), puts.slice(25)]) {
      const written = await documents.send(new BatchWriteCommand({ RequestItems: { [table]: chunk } }));
      unprocessed.push(Object.keys(written.UnprocessedItems || {}).length);
    }
    return { unprocessed };
  });
  await report.step('paginateQuery', async () => {
    const pages = [];
    for await (const page of paginateQuery(
      { client: documents, pageSize: 4 },
      {
        TableName: table,
        IndexName: 'status-index',
        KeyConditionExpression: '#status = :open AND sk BETWEEN :low AND :high',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':open': 'open', ':low': 1, ':high': 21 },
        ScanIndexForward: false,
      },
    )) {
      pages.push({
        count: page.Count,
        items: plain(page.Items),
        ...(page.LastEvaluatedKey && { lastKey: plain(page.LastEvaluatedKey) }),
      });
    }
    return pages;
  });
  await report.step('paginateScan', async () => {
    const counts = [];
    const keys = [];
    for await (const page of paginateScan({ client: dynamodb, pageSize: 9 }, { TableName: table })) {
      counts.push(page.Count);
      keys.push(...page.Items.map((item) => `${item.pk.S}/${item.sk.N}`));
    }
    return { counts, keys };
  });
  await report.step('stream', () => readRecords(readers, 32));
  await report.step('transactionCanceled', async () => {
    const failure = await modeledFailure(
      () =>
        documents.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: table, Item: { pk: 'customer#3', sk: 1, status: 'open' } } },
              {
                Update: {
                  TableName: table,
                  Key: { pk: 'customer#2', sk: 0 },
                  UpdateExpression: 'SET #status = :paid',
                  ConditionExpression: '#status = :open',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':paid': 'paid', ':open': 'open' },
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
            ],
          }),
        ),
      TransactionCanceledException,
    );
    const { Item } = await documents.send(new GetCommand({ TableName: table, Key: { pk: 'customer#3', sk: 1 } }));
    return { ...failure, written: Item === undefined ? null : plain(Item) };
  });
  await report.step('partiql', async () => {
    await documents.send(
      new ExecuteStatementCommand({
        Statement: `INSERT INTO "${table}" VALUE {'pk': ?, 'sk': ?, 'tags': ?}`,
        Parameters: ['customer#4', 1, new Set(['a', 'b'])],
      }),
    );
    const { Items } = await documents.send(
      new ExecuteStatementCommand({
        Statement: `SELECT pk, sk, tags FROM "${table}" WHERE pk = ? AND sk >= ?`,
        Parameters: ['customer#4', 0],
      }),
    );
    const duplicate = await failureOf(() =>
      documents.send(
        new ExecuteStatementCommand({
          Statement: `INSERT INTO "${table}" VALUE {'pk': ?, 'sk': ?}`,
          Parameters: ['customer#4', 1],
        }),
      ),
    );
    return { items: plain(Items), duplicate };
  });
  await report.step('batchGet', async () => {
    const { Responses, UnprocessedKeys } = await documents.send(
      new BatchGetCommand({
        RequestItems: {
          [table]: {
            Keys: [{ pk: 'customer#2', sk: 3 }, { pk: 'customer#2', sk: 99 }, { pk: 'customer#4', sk: 1 }],
            ProjectionExpression: 'pk, sk',
          },
        },
      }),
    );
    return { items: plain(Responses[table]), unprocessed: UnprocessedKeys };
  });
  await report.step('deleteTable', async () => {
    const { TableDescription } = await dynamodb.send(new DeleteTableCommand({ TableName: table }));
    const waited = await waitUntilTableNotExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: table });
    const { StreamDescription } = await streams.send(
      new DescribeStreamCommand({ StreamArn: TableDescription.LatestStreamArn }),
    );
    const closed = await openReaders(TableDescription.LatestStreamArn, 'TRIM_HORIZON');
    let pages = 0;
    let records = 0;
    while (closed[0].iterator && pages < 100) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: closed[0].iterator, Limit: 1000 }));
      closed[0].iterator = page.NextShardIterator;
      records += page.Records.length;
      pages += 1;
    }
    return {
      deleting: TableDescription.TableStatus,
      waited: waited.state,
      streamStatus: StreamDescription.StreamStatus,
      ending: StreamDescription.Shards.map((shard) => shard.SequenceNumberRange.EndingSequenceNumber !== undefined),
      pages,
      records,
    };
  });
}

main().finally(() => report.print());
