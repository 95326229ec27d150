import { mergeExpositions } from './merge-expositions';

describe('mergeExpositions', () => {
  const edge = [
    '# HELP tracker_kafka_dead_letters_total Dead letters',
    '# TYPE tracker_kafka_dead_letters_total counter',
    'tracker_kafka_dead_letters_total{topic="a"} 1',
    '',
  ].join('\n');
  const attribution = [
    '# HELP tracker_kafka_dead_letters_total Dead letters',
    '# TYPE tracker_kafka_dead_letters_total counter',
    'tracker_kafka_dead_letters_total{topic="a"} 2',
    '# HELP tracker_consumer_up 1 while consuming',
    '# TYPE tracker_consumer_up gauge',
    'tracker_consumer_up{consumer="attribution.projection"} 0',
    '# HELP tracker_batch Messages per batch',
    '# TYPE tracker_batch histogram',
    'tracker_batch_bucket{le="1"} 3',
    'tracker_batch_bucket{le="+Inf"} 4',
    'tracker_batch_sum 9',
    'tracker_batch_count 4',
    '',
  ].join('\n');

  it('given the same family in two processes, when merged, then it is declared once with both series apart', () => {
    const merged = mergeExpositions([
      { text: edge },
      { text: attribution, labels: { process: 'attribution' } },
    ]).split('\n');

    expect(
      merged.filter((line) => line.startsWith('# TYPE tracker_kafka_dead_letters_total')),
    ).toHaveLength(1);
    expect(merged.slice(0, 4)).toEqual([
      '# HELP tracker_kafka_dead_letters_total Dead letters',
      '# TYPE tracker_kafka_dead_letters_total counter',
      'tracker_kafka_dead_letters_total{topic="a"} 1',
      'tracker_kafka_dead_letters_total{process="attribution",topic="a"} 2',
    ]);
  });

  it('given a histogram and an unlabelled sample, when merged, then every sample stays under its family and gains the label', () => {
    const merged = mergeExpositions([{ text: attribution, labels: { process: 'attribution' } }]);

    expect(merged).toContain(
      [
        '# TYPE tracker_batch histogram',
        'tracker_batch_bucket{process="attribution",le="1"} 3',
        'tracker_batch_bucket{process="attribution",le="+Inf"} 4',
        'tracker_batch_sum{process="attribution"} 9',
        'tracker_batch_count{process="attribution"} 4',
      ].join('\n'),
    );
    expect(merged).toContain(
      'tracker_consumer_up{process="attribution",consumer="attribution.projection"} 0',
    );
  });

  it('given a label value with quotes, when merged, then it is escaped', () => {
    const merged = mergeExpositions([{ text: 'x 1\n', labels: { process: 'a"b' } }]);

    expect(merged).toBe('x{process="a\\"b"} 1\n');
  });
});
